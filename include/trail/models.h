// What is inside a model file, and how two models differ (`trail model inspect`, `trail model
// diff`, `trail diff --models`; docs/models.md). A model is a file (or a checkpoint prefix, or a
// SavedModel folder) or a run's stored artifact, which is restored from the object store into a
// temporary folder under .trail/ for the reading and removed afterwards.
//
// Results are JSON in the shapes docs/models.md documents, so that the CLI, the Python module
// and the server print or serve them as they are. Model files are untrusted: a malformed,
// truncated or hostile file is a Corrupt or InvalidArgument status naming it, never a crash.
#pragma once

#include <string>

#include "trail/json.h"
#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

struct InspectOptions {
  bool checksums = true;  // false: header reads only, no tensor values read
};

// A model read: where from, and what it holds.
struct ModelReport {
  std::string source;  // the file as given, or "<run id>:<artifact path>"
  // The model's description with its tensor list (docs/models.md, "trail model inspect"):
  // format, framework, framework_version, producer, parameters, tensors, tensor_bytes, layers,
  // ops, inputs, outputs, signatures, functions, layer_list, tensor_list, notes.
  Json model;
};

// Reads the model at `path` (absolute or relative to the working folder).
StatusOr<ModelReport> InspectModelFile(const std::string& path, const InspectOptions& options);

// A model named by a run: `artifact` by path, file name or role as `trail get` picks; empty: the
// run's primary model, the artifact whose `model:` summary counts the most parameters.
// TensorFlow checkpoints are restored with their companion files (.index and .data-* shards).
struct RunModelRef {
  std::string run;       // id, number or uid; or a registered version: "model:NAME@ALIAS", ":N", or the latest
  std::string artifact;  // empty: the primary model (a version's: its first file)
};

StatusOr<ModelReport> InspectRunModel(Project& project, const RunModelRef& ref, const InspectOptions& options);

// One side of a diff: a file, or a run's model.
struct ModelRef {
  std::string file;  // not empty: a file (or prefix, or folder); else `run` names it
  RunModelRef run;
};

struct ModelDiffOptions {
  bool values = true;  // false: compare listings and architecture only
  bool all = false;    // list identical tensors too
};

struct ModelDiffReport {
  std::string source_a, source_b;  // as ModelReport::source
  // docs/models.md, "trail model diff": summary {changed, identical, added, removed, reshaped,
  // dtype_changed, parameters_a, parameters_b}, architecture [{what, path, old, new}],
  // tensors [{name, change, dtype_a, dtype_b, shape_a, shape_b, elements, identical,
  // max_abs_diff, relative_l2, cosine}] sorted by change.
  Json diff;
};

// Compares `a` (old) with `b` (new). `project` may be null when both are files.
StatusOr<ModelDiffReport> DiffModels(Project* project, const ModelRef& a, const ModelRef& b,
                                     const ModelDiffOptions& options);

}  // namespace trail::api
