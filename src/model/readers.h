// One Open function per format family, each in its own file; OpenModel (open_model.cc) detects
// the format and calls one. Each returns a ModelFile whose info() is complete except checksums.
// `path` is what DetectModelFormat was given (a prefix, a folder, a file).
#pragma once

#include <memory>
#include <string>

#include "model/model_file.h"
#include "trail/status.h"

namespace trail::model {

using ModelFileOr = StatusOr<std::unique_ptr<ModelFile>>;

// tf_checkpoint.cc: TensorFlow V2 checkpoints (the tensor bundle: a LevelDB-format .index table
// with Snappy blocks, values in .data-NNNNN-of-NNNNN shards), and V1 checkpoints where feasible.
ModelFileOr OpenTfCheckpoint(const std::string& path);
// tf_graph.cc: a MetaGraphDef (.meta) file, and a SavedModel folder (saved_model.pb with its
// variables/ bundle, whose tensors it lists through OpenTfCheckpoint).
ModelFileOr OpenTfMetaGraph(const std::string& path);
ModelFileOr OpenTfSavedModel(const std::string& path);
// keras_h5.cc: Keras HDF5 (.h5 / .hdf5: model_config, training_config, model_weights), through
// libhdf5. keras_v3.cc: the .keras zip (config.json, metadata.json, model.weights.h5).
ModelFileOr OpenKerasH5(const std::string& path);
ModelFileOr OpenKerasV3(const std::string& path);
// onnx.cc: an ONNX ModelProto (graph nodes, initializers, opset, inputs/outputs).
ModelFileOr OpenOnnx(const std::string& path);
// safetensors.cc: an 8-byte header length, a JSON header, the tensors' bytes.
ModelFileOr OpenSafetensors(const std::string& path);
// pytorch.cc: a torch.save zip (data.pkl read by a pickle reader that executes nothing, tensors'
// storages in data/N), a TorchScript archive (its code/ read as text), or a legacy (pre-1.6)
// torch.save stream (pytorch_legacy.cc).
ModelFileOr OpenPytorch(const std::string& path);
// numpy.cc: .npy (one tensor) and .npz (a zip of .npy members).
ModelFileOr OpenNpy(const std::string& path);
ModelFileOr OpenNpz(const std::string& path);

}  // namespace trail::model
