// Two models compared: which tensors were added, removed, reshaped or changed dtype; for the
// tensors both hold with the same shape, how far their values moved (max absolute difference,
// relative L2 change, cosine similarity, bytes identical); and how the architecture changed
// (layers added or removed, config values, op counts, inputs and outputs, framework version).
// Values are streamed through both files in lockstep in fixed-size chunks, so memory stays
// bounded whatever the models' sizes (`trail model diff`, `trail diff --models`, docs/models.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/yaml.h"  // Json
#include "model/model_file.h"
#include "trail/status.h"

namespace trail::model {

struct DiffOptions {
  // False: compare the listings only (names, shapes, dtypes, architecture), reading no values.
  bool values = true;
  // How the two models are named in errors ("A.safetensors", "fraud-3:model.pt").
  std::string label_a = "A", label_b = "B";
  // At most this many architecture changes are listed; the rest are counted in
  // ModelDiff::architecture_more. Bounds the output of two unrelated configs.
  size_t max_architecture_changes = 500;
};

// One tensor of either model, by name.
struct TensorDiff {
  enum class Kind { kChanged, kIdentical, kAdded, kRemoved, kReshaped, kDtypeChanged };
  Kind kind = Kind::kChanged;
  std::string name;
  std::string dtype_a, dtype_b;  // empty on the side that lacks the tensor
  std::vector<int64_t> shape_a, shape_b;
  uint64_t elements = 0;  // the shared element count where the shapes agree
  // Set when the values were compared (same shape, both dtypes numeric, DiffOptions::values).
  bool compared = false;
  bool identical = false;   // the value bytes are equal (same dtype, same bytes)
  double max_abs_diff = 0;  // max |a - b|
  double relative_l2 = 0;   // ||a - b|| / ||a||; 0 when both are zero, infinity when only a is
  double cosine = 1;        // a.b / (||a|| ||b||); 1 when both are zero, 0 when only one is
};

std::string_view TensorDiffKindName(TensorDiff::Kind kind);  // "changed", "identical", "added", ...

// One architecture difference: `what` is the kind ("layer added", "layer removed", "layer type",
// "config", "op count", "inputs", "outputs", "format", "framework", "framework version",
// "producer"); `path` names the place ("dense_1", "dense_1.config.units", "Relu",
// "architecture.opset_import[0].version"); old and new are null on the side that lacks it.
struct ArchitectureChange {
  std::string what;
  std::string path;
  Json old_value;
  Json new_value;
};

struct ModelDiff {
  // Tensors in both models with values compared or not comparable, sorted by relative L2 change,
  // largest first (identical ones last); then added, removed, reshaped and dtype-changed ones in
  // name order. Every tensor of either model appears exactly once.
  std::vector<TensorDiff> tensors;
  uint64_t changed = 0, identical = 0, added = 0, removed = 0, reshaped = 0, dtype_changed = 0;
  std::vector<ArchitectureChange> architecture;
  size_t architecture_more = 0;  // changes beyond DiffOptions::max_architecture_changes
  uint64_t parameters_a = 0, parameters_b = 0;
};

// Compares `a` (the old model) with `b` (the new one). Errors: a stream that fails or ends
// before its tensor does (Corrupt, naming the label and tensor); nothing is returned partially.
StatusOr<ModelDiff> DiffModels(ModelFile& a, ModelFile& b, const DiffOptions& options = {});

// The JSON shape of docs/models.md ("trail model diff --format json"). `all` keeps identical
// tensors in the tensor list; otherwise they are only counted.
Json ToJson(const ModelDiff& diff, bool all);

}  // namespace trail::model
