#include "model/keras_config.h"

#include <limits>
#include <string>

namespace trail::model {
namespace {

// Nested models and per-output loss maps are followed this deep at most (a config is untrusted).
constexpr int kMaxKerasConfigDepth = 16;

const Json* Get(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string GetString(const Json& j, const char* key) {
  const Json* v = Get(j, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

// The layers of a model config: `config.layers`, or `config` itself as a list (Keras 1 and early
// Keras 2 Sequential).
const Json* LayerList(const Json& model_config) {
  const Json* config = Get(model_config, "config");
  if (config == nullptr) return nullptr;
  if (config->is_array()) return config;
  const Json* layers = Get(*config, "layers");
  return layers != nullptr && layers->is_array() ? layers : nullptr;
}

std::string LayerName(const Json& layer) {
  std::string name = GetString(layer, "name");
  if (name.empty()) {
    if (const Json* config = Get(layer, "config")) name = GetString(*config, "name");
  }
  return name;
}

// A shape list ([null, 28, 28]) as dimensions, -1 for null; false when it is not one.
bool ShapeOf(const Json* shape, std::vector<int64_t>* out) {
  if (shape == nullptr || !shape->is_array()) return false;
  out->clear();
  for (const Json& d : *shape) {
    if (d.is_null()) {
      out->push_back(-1);
    } else if (d.is_number_integer() && d.get<int64_t>() >= -1) {
      out->push_back(d.get<int64_t>());
    } else {
      return false;
    }
  }
  return true;
}

// An activation as a config spells it: "relu", or Keras 3's serialized function
// {"class_name": "function", "config": "relu"}, or a class {"class_name": "LeakyReLU"}.
std::string ActivationSpelling(const Json& activation) {
  if (activation.is_string()) return activation.get<std::string>();
  if (const Json* config = Get(activation, "config"); config != nullptr && config->is_string()) {
    return config->get<std::string>();
  }
  return GetString(activation, "class_name");
}

bool IsActivationLayer(const std::string& type) {
  return type == "ReLU" || type == "Softmax" || type == "LeakyReLU" || type == "PReLU" || type == "ELU" ||
         type == "ThresholdedReLU";
}

bool IsDropoutLayer(const std::string& type) {
  return type == "Dropout" || type == "SpatialDropout1D" || type == "SpatialDropout2D" || type == "SpatialDropout3D" ||
         type == "GaussianDropout" || type == "AlphaDropout" || type == "GaussianNoise" ||
         type == "ActivityRegularization";
}

// Table 1 functions of one layer, and of the layers of a nested model.
void LayerFunctions(const Json& layer, int depth, ModelInfo& info) {
  if (depth > kMaxKerasConfigDepth) return;
  const std::string type = GetString(layer, "class_name");
  const std::string where = "layer " + LayerName(layer);
  const Json* config = Get(layer, "config");
  if (config != nullptr && config->is_object()) {
    for (const char* key : {"activation", "recurrent_activation"}) {
      if (const Json* a = Get(*config, key)) {
        const std::string spelling = ActivationSpelling(*a);
        if (!spelling.empty() && spelling != "linear") AddFunction(info, "activation", spelling, where);
      }
    }
    for (const char* key : {"kernel_regularizer", "bias_regularizer", "activity_regularizer", "recurrent_regularizer",
                            "depthwise_regularizer", "pointwise_regularizer"}) {
      if (const Json* r = Get(*config, key)) {
        const std::string spelling = r->is_string() ? r->get<std::string>() : GetString(*r, "class_name");
        if (!spelling.empty()) AddFunction(info, "regularization", spelling, where);
      }
    }
  }
  if (IsActivationLayer(type)) AddFunction(info, "activation", type, where);
  if (IsDropoutLayer(type)) AddFunction(info, "regularization", type, where);
  if (const Json* nested = LayerList(layer)) {
    for (const Json& inner : *nested) LayerFunctions(inner, depth + 1, info);
  }
}

// The names in input_layers / output_layers: [["name", 0, 0], ...], or one ["name", 0, 0].
std::vector<std::string> EndpointNames(const Json* endpoints) {
  std::vector<std::string> names;
  if (endpoints == nullptr || !endpoints->is_array() || endpoints->empty()) return names;
  if ((*endpoints)[0].is_string()) {
    names.push_back((*endpoints)[0].get<std::string>());
    return names;
  }
  for (const Json& e : *endpoints) {
    if (e.is_array() && !e.empty() && e[0].is_string()) names.push_back(e[0].get<std::string>());
  }
  return names;
}

const Json* FindLayer(const Json& layers, const std::string& name) {
  for (const Json& layer : layers) {
    if (LayerName(layer) == name) return &layer;
  }
  return nullptr;
}

std::string DTypeOf(const Json& layer) {
  const Json* config = Get(layer, "config");
  if (config == nullptr) return "";
  const Json* dtype = Get(*config, "dtype");
  if (dtype == nullptr) return "";
  if (dtype->is_string()) return dtype->get<std::string>();
  // Keras 3: {"class_name": "DTypePolicy", "config": {"name": "float32"}}
  if (const Json* policy = Get(*dtype, "config")) return GetString(*policy, "name");
  return "";
}

// An input layer's spec: batch_input_shape (Keras 2), batch_shape (Keras 3).
TensorSpec InputSpec(const Json& layer) {
  TensorSpec spec;
  spec.name = LayerName(layer);
  spec.dtype = DTypeOf(layer);
  const Json* config = Get(layer, "config");
  const Json* shape = nullptr;
  if (config != nullptr) {
    shape = Get(*config, "batch_input_shape");
    if (shape == nullptr) shape = Get(*config, "batch_shape");
  }
  spec.shape_known = ShapeOf(shape, &spec.shape);
  return spec;
}

// An output layer's spec: shaped only where its build_config's input shape and a Dense layer's
// units determine it.
TensorSpec OutputSpec(const Json& layer) {
  TensorSpec spec;
  spec.name = LayerName(layer);
  spec.dtype = DTypeOf(layer);
  spec.shape_known = false;
  const Json* build = Get(layer, "build_config");
  const Json* config = Get(layer, "config");
  const Json* units = config != nullptr ? Get(*config, "units") : nullptr;
  std::vector<int64_t> in;
  if (GetString(layer, "class_name") == "Dense" && build != nullptr && units != nullptr && units->is_number_integer() &&
      ShapeOf(Get(*build, "input_shape"), &in) && !in.empty()) {
    in.back() = units->get<int64_t>();
    spec.shape = in;
    spec.shape_known = true;
  }
  return spec;
}

void LossFunctions(const Json& loss, int depth, const std::string& where, ModelInfo& info) {
  if (depth > kMaxKerasConfigDepth) return;
  if (loss.is_string()) {
    AddFunction(info, "loss", loss.get<std::string>(), where);
  } else if (loss.is_object() && Get(loss, "class_name") != nullptr) {
    const std::string name = GetString(loss, "class_name");
    if (!name.empty()) AddFunction(info, "loss", name, where);
  } else if (loss.is_object() || loss.is_array()) {
    for (const Json& each : loss) LossFunctions(each, depth + 1, where, info);  // one per output
  }
}

}  // namespace

void ReadKerasModelConfig(const Json& model_config, ModelInfo& info) {
  if (!model_config.is_object()) return;
  info.architecture = model_config;
  const Json* layers = LayerList(model_config);
  if (layers == nullptr) return;
  for (const Json& layer : *layers) {
    Layer l;
    l.name = LayerName(layer);
    l.type = GetString(layer, "class_name");
    if (const Json* config = Get(layer, "config")) l.config = *config;
    if (!l.type.empty()) ++info.op_counts[l.type];
    LayerFunctions(layer, 0, info);
    info.layers.push_back(std::move(l));
  }
  const Json* config = Get(model_config, "config");
  const std::vector<std::string> input_names = EndpointNames(config ? Get(*config, "input_layers") : nullptr);
  const std::vector<std::string> output_names = EndpointNames(config ? Get(*config, "output_layers") : nullptr);
  if (!input_names.empty() || !output_names.empty()) {  // Functional
    for (const std::string& name : input_names) {
      if (const Json* layer = FindLayer(*layers, name)) info.inputs.push_back(InputSpec(*layer));
    }
    for (const std::string& name : output_names) {
      if (const Json* layer = FindLayer(*layers, name)) info.outputs.push_back(OutputSpec(*layer));
    }
    return;
  }
  if (layers->empty()) return;
  // Sequential: an InputLayer, or the first layer's batch_input_shape, or build_input_shape.
  const Json& first = (*layers)[0];
  TensorSpec input = InputSpec(first);
  if (!input.shape_known && config != nullptr && config->is_object()) {
    input.shape_known = ShapeOf(Get(*config, "build_input_shape"), &input.shape);
  }
  info.inputs.push_back(std::move(input));
  info.outputs.push_back(OutputSpec(layers->back()));
}

void ReadKerasTrainingConfig(const Json& training_config, const std::string& where, ModelInfo& info) {
  if (!training_config.is_object()) return;
  if (const Json* loss = Get(training_config, "loss")) LossFunctions(*loss, 0, where, info);
  const Json* optimizer = Get(training_config, "optimizer_config");
  if (optimizer == nullptr) optimizer = Get(training_config, "optimizer");
  if (optimizer != nullptr) {
    const std::string name =
        optimizer->is_string() ? optimizer->get<std::string>() : GetString(*optimizer, "class_name");
    if (!name.empty()) AddFunction(info, "optimizer", name, where);
  }
}

}  // namespace trail::model
