// Writing the model registry (docs/models.md, "The registry"): a new version of a named model
// from a run's stored artifacts (one model: a file, or a checkpoint's files), and alias moves. Both commit to the runs
// branch under the project's writer lock, so version numbers are unique in this clone; sync's merge keeps them unique
// across clones (sync/runs_merge.h).
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "project/project.h"
#include "registry/model_reader.h"
#include "trail/status.h"

namespace trail::registry {

struct RegisterOptions {
  std::string name;
  std::string run;  // id, number or uid
  // Each by path, file name or role, and each with its companions (version_files.h); empty: the
  // run's one model artifact.
  std::vector<std::string> artifacts;
  std::string message;
  Json tags = Json::object();  // name -> string
};

// Makes version N = 1 + the highest so far. Nothing is written on any error: InvalidArgument for
// a bad name or tag, NotFound for an unknown run or artifact, FailedPrecondition for an artifact
// stored without its content or a choice that is ambiguous (the message lists the candidates).
StatusOr<Version> RegisterVersion(Project& project, const RegisterOptions& options);

struct AliasOptions {
  std::string name, alias;
  std::string version;  // "3", "v3", "latest", or another alias of the model ("@staging")
  std::string message;
  bool remove = false;  // `--delete`: `version` is ignored
};

// Records one alias move (a new file, never an edit) and returns it resolved. NotFound for an
// unknown model or version; FailedPrecondition for deleting an alias that is not set.
StatusOr<AliasMove> MoveAlias(Project& project, const AliasOptions& options);

}  // namespace trail::registry
