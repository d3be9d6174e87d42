// Keras HDF5 files (.h5, .hdf5), through libhdf5 (hdf5_file.h). The layout is Keras 2's
// keras.saving.legacy.hdf5_format (also what Keras 3 writes for model.save("x.h5")):
//   root attributes keras_version, backend, model_config (JSON), training_config (JSON);
//   /model_weights with layer_names, one group per layer with weight_names, datasets of values;
//   /optimizer_weights with weight_names.
// A save_weights file has layer_names on the root itself. A Keras 3 weights file
// (x.weights.h5: layers/<name>/vars/<i>) is read as .keras's weights are. Any other HDF5 file is
// listed dataset by dataset with framework "". libhdf5 reads it all in one child process
// (keras_weights.h), which sends back the attributes and the dataset list.
#include "base/yaml.h"
#include "model/keras_config.h"
#include "model/keras_weights.h"
#include "model/readers.h"

namespace trail::model {
namespace {

// Parses a JSON attribute; a damaged one is a note, not a failure: the weights are still there.
Json ParseConfig(const std::optional<std::string>& text, const std::string& name, ModelInfo& info) {
  if (!text.has_value()) return Json();
  Json parsed = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    info.notes.push_back(name + " is not valid JSON; the architecture is not read");
    return Json();
  }
  return parsed;
}

// What OpenKerasH5 reads with libhdf5, gathered in one child and sent back.
struct KerasH5Contents {
  std::optional<std::string> version, backend, model_config, training_config;
  std::optional<std::vector<std::string>> root_layers;
  bool keras = true;  // a Keras layout, or a model_config over plain datasets
  KerasWeights weights;
};

// In the child: the root attributes, then the weights in whichever layout the file has.
Status ReadContents(Hdf5File& h5, ChildMessageWriter& out) {
  KerasH5Contents c;
  TRAIL_ASSIGN_OR_RETURN(c.version, h5.StringAttribute("/", "keras_version"));
  TRAIL_ASSIGN_OR_RETURN(c.backend, h5.StringAttribute("/", "backend"));
  TRAIL_ASSIGN_OR_RETURN(c.model_config, h5.StringAttribute("/", "model_config"));
  TRAIL_ASSIGN_OR_RETURN(c.training_config, h5.StringAttribute("/", "training_config"));
  TRAIL_ASSIGN_OR_RETURN(c.root_layers, h5.StringListAttribute("/", "layer_names"));
  if (h5.HasGroup("/model_weights")) {
    TRAIL_RETURN_IF_ERROR(ReadKeras2Weights(h5, "/model_weights", &c.weights));
  } else if (c.root_layers.has_value()) {
    TRAIL_RETURN_IF_ERROR(ReadKeras2Weights(h5, "/", &c.weights));
  } else if (h5.HasGroup("/layers") && !c.model_config.has_value()) {
    TRAIL_RETURN_IF_ERROR(ReadKeras3Weights(h5, &c.weights));
  } else {
    c.keras = c.model_config.has_value();
    TRAIL_RETURN_IF_ERROR(ReadAllDatasets(h5, &c.weights));
  }
  for (const auto* s : {&c.version, &c.backend, &c.model_config, &c.training_config}) out.OptionalString(*s);
  out.OptionalStrings(c.root_layers);
  out.U64(c.keras);
  EncodeKerasWeights(c.weights, out);
  return Status::Ok();
}

StatusOr<KerasH5Contents> DecodeContents(const std::string& bytes, const std::string& path) {
  ChildMessageReader in(bytes, path);
  KerasH5Contents c;
  uint64_t keras = 0;
  for (auto* s : {&c.version, &c.backend, &c.model_config, &c.training_config}) {
    if (!in.OptionalString(s)) return in.Malformed();
  }
  if (!in.OptionalStrings(&c.root_layers) || !in.U64(&keras) || keras > 1 || !DecodeKerasWeights(in, &c.weights) ||
      !in.AtEnd()) {
    return in.Malformed();
  }
  c.keras = keras == 1;
  return c;
}

}  // namespace

ModelFileOr OpenKerasH5(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(std::string answer, ReadHdf5InChild(path, "", ReadContents));
  TRAIL_ASSIGN_OR_RETURN(KerasH5Contents c, DecodeContents(answer, path));
  ModelInfo info;
  info.format = "keras-h5";
  if (c.keras) {
    info.framework = "keras";
    info.framework_version = c.version.value_or("");
    info.producer = c.backend.value_or("");
    ReadKerasModelConfig(ParseConfig(c.model_config, "model_config", info), info);
    ReadKerasTrainingConfig(ParseConfig(c.training_config, "training_config", info), "training_config", info);
  }
  KerasWeights& weights = c.weights;
  info.tensors = std::move(weights.tensors);
  if (c.keras && info.layers.empty() && c.root_layers.has_value()) {
    for (const std::string& name : *c.root_layers) info.layers.push_back({name, "", 0, Json()});
  }
  CountLayerParameters(info, [&](const TensorInfo& t) { return weights.owner[t.name]; });
  Totals(info);
  auto model = std::make_unique<Hdf5ModelFile>(path, "", std::move(weights.datasets));
  model->mutable_info() = std::move(info);
  return ModelFileOr(std::move(model));
}

}  // namespace trail::model
