// What a run's model artifacts hold, in its record (docs/models.md, "Run records"): each artifact
// that is a model file trail reads gets `model:` (format, framework, parameters, tensors, layers,
// ops, inputs, outputs, functions; model::ToJson without the tensor list), and the run's
// `functions:` are completed from the functions found in its models.
//
// Both are fail-soft: a model that does not parse gets `model: {error: "..."}` and a warning,
// never a failed run. Only headers are read (no tensor values), so this costs milliseconds.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"

namespace trail {

// Adds `model:` to `artifact` when `abs_path` (the artifact's file, or a SavedModel folder) is a
// model trail reads. A TensorFlow checkpoint is summarised on its `.index` file (its `.data-*`
// shards are read beside it); the shards themselves get no summary. A warning naming
// `artifact.path` is appended to `warnings` for a model that does not parse.
void SummarizeModelArtifact(const std::string& abs_path, Json& artifact, std::vector<std::string>* warnings);

// Adds the functions found in `record`'s artifacts' model summaries to its `functions:` list,
// mapped to context/'s (category, name) as the source scan reports them: a new entry, or the
// existing one of the same (category, name), gets the model's spelling in `found` and the
// artifact's path in `at`. Spellings the function table does not know are left out.
void AddModelFunctions(Json& record);

}  // namespace trail
