// The params files DVC's `dvc.yaml` lists in its stages (`params:`), besides params.yaml, which
// params.h reads whole: `- config/train.yaml: [lr, model.depth]` takes those keys of that file,
// `- config/train.yaml:` (no keys) the whole file, flattened with dots as `dvc params diff`
// shows them. A plain `- lr` names a key of params.yaml, which is read anyway.
#pragma once

#include <string>

#include "base/yaml.h"
#include "trail/status.h"

namespace trail::record {

inline constexpr int64_t kMaxParamsFileBytes = int64_t{1} << 20;

// The flattened params of the files `dir`/dvc.yaml lists (empty when there is none), YAML or
// JSON; TOML and Python files are not read (Python would mean running it). Listed paths must stay
// below `dir` and reach their file through no symbolic link; a listed file that does not exist
// is skipped (DVC reports it when it runs). A malformed dvc.yaml or params file, an unsafe path,
// a file over kMaxParamsFileBytes: an error naming it (params are too important to guess).
StatusOr<Json> ParamsFromDvcYaml(const std::string& dir);

// Reads `path` whole when it is at most kMaxParamsFileBytes; NotFound when it does not exist.
StatusOr<std::string> ReadParamsFile(const std::string& path, const std::string& shown);

}  // namespace trail::record
