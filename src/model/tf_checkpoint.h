// The TensorFlow V2 checkpoint (tensor bundle) reader, shared by OpenTfCheckpoint and the
// SavedModel reader (tf_graph.cc), which opens its variables/variables bundle through it.
#pragma once

#include <string>

#include "model/readers.h"

namespace trail::model {

// The bundle's prefix for any way of naming it: "model.ckpt", "model.ckpt.index",
// "model.ckpt.data-00000-of-00001".
std::string TfCheckpointPrefix(const std::string& path);

// Opens the bundle `prefix`.index with its data shards `prefix`.data-NNNNN-of-NNNNN. With
// `follow_symlinks` false a file that is a symlink is refused (the files inside a model folder).
// format "tf-checkpoint-v2", framework "tensorflow".
ModelFileOr OpenTfBundle(const std::string& prefix, bool follow_symlinks);

// tf_checkpoint_v1.cc: a V1 checkpoint, one LevelDB-format table of SavedTensorSlices with the
// values inline. format "tf-checkpoint-v1".
ModelFileOr OpenTfCheckpointV1(const std::string& path);

}  // namespace trail::model
