// What a Keras model config and training (compile) config say, for both Keras files: the
// `model_config` / `training_config` attributes of a Keras 2 .h5 and the `config.json` of a .keras
// zip (whose `compile_config` plays training_config's part). Only what is there is reported;
// nothing is inferred from the weights.
#pragma once

#include "base/yaml.h"  // Json
#include "model/model_info.h"

namespace trail::model {

// Fills info.layers (name, class, config; parameters stay 0), op_counts (layer class -> count),
// inputs (InputLayer batch_input_shape / batch_shape, or a first layer's batch_input_shape),
// outputs (the output layers, shaped where a Dense layer's units say it), functions (activations,
// regularizers, Dropout) and architecture (the config itself). Accepts Keras 1/2 Sequential
// configs (a bare layer list), Sequential and Functional configs with `config.layers`, and
// Keras 3's. Nested models are searched for functions to a bounded depth. Anything unexpected
// is skipped, never an error: the config is informational.
void ReadKerasModelConfig(const Json& model_config, ModelInfo& info);

// Adds the loss (a name, a class, or one per output) and the optimizer's class from a Keras 2
// training_config ({loss, optimizer_config: {class_name}}) or Keras 3 compile_config
// ({loss, optimizer: {class_name} or a name}) to info.functions.
void ReadKerasTrainingConfig(const Json& training_config, const std::string& where, ModelInfo& info);

// Sets each layer's `parameters` to the elements of the parameter tensors `owner` assigns it:
// `owner(tensor)` returns the layer name a tensor belongs to, or "".
template <typename Owner>
void CountLayerParameters(ModelInfo& info, Owner owner) {
  for (Layer& layer : info.layers) layer.parameters = 0;
  for (const TensorInfo& t : info.tensors) {
    if (!t.is_parameter) continue;
    const std::string name = owner(t);
    for (Layer& layer : info.layers) {
      if (layer.name == name) {
        layer.parameters += t.elements;
        break;
      }
    }
  }
}

}  // namespace trail::model
