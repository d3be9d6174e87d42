// Keras HDF5 files (.h5, .hdf5), through libhdf5 (hdf5_file.h). The layout is Keras 2's
// keras.saving.legacy.hdf5_format (also what Keras 3 writes for model.save("x.h5")):
//   root attributes keras_version, backend, model_config (JSON), training_config (JSON);
//   /model_weights with layer_names, one group per layer with weight_names, datasets of values;
//   /optimizer_weights with weight_names.
// A save_weights file has layer_names on the root itself. A Keras 3 weights file
// (x.weights.h5: layers/<name>/vars/<i>) is read as .keras's weights are. Any other HDF5 file is
// listed dataset by dataset with framework "".
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

}  // namespace

ModelFileOr OpenKerasH5(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<Hdf5File> h5, Hdf5File::Open(path));
  ModelInfo info;
  info.format = "keras-h5";
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> version, h5->StringAttribute("/", "keras_version"));
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> backend, h5->StringAttribute("/", "backend"));
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> model_config, h5->StringAttribute("/", "model_config"));
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> training_config, h5->StringAttribute("/", "training_config"));
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> root_layers,
                         h5->StringListAttribute("/", "layer_names"));

  KerasWeights weights;
  bool keras = true;
  if (h5->HasGroup("/model_weights")) {
    TRAIL_RETURN_IF_ERROR(ReadKeras2Weights(*h5, "/model_weights", &weights));
  } else if (root_layers.has_value()) {
    TRAIL_RETURN_IF_ERROR(ReadKeras2Weights(*h5, "/", &weights));
  } else if (h5->HasGroup("/layers") && !model_config.has_value()) {
    TRAIL_RETURN_IF_ERROR(ReadKeras3Weights(*h5, &weights));
  } else {
    keras = model_config.has_value();
    TRAIL_RETURN_IF_ERROR(ReadAllDatasets(*h5, &weights));
  }
  if (keras) {
    info.framework = "keras";
    info.framework_version = version.value_or("");
    info.producer = backend.value_or("");
    ReadKerasModelConfig(ParseConfig(model_config, "model_config", info), info);
    ReadKerasTrainingConfig(ParseConfig(training_config, "training_config", info), "training_config", info);
  }
  info.tensors = std::move(weights.tensors);
  if (keras && info.layers.empty() && root_layers.has_value()) {
    for (const std::string& name : *root_layers) info.layers.push_back({name, "", 0, Json()});
  }
  CountLayerParameters(info, [&](const TensorInfo& t) { return weights.owner[t.name]; });
  Totals(info);
  auto model = std::make_unique<Hdf5ModelFile>(std::move(h5), std::move(weights.datasets));
  model->mutable_info() = std::move(info);
  return ModelFileOr(std::move(model));
}

}  // namespace trail::model
