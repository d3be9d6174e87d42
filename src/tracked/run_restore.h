// What `trail get` restores from a run record: its artifacts into a folder, or a data snapshot.
//
// A record may come from another clone (`trail pull`), so every path and name in it is untrusted:
// each is checked (util/safe_path.h) and nothing is written through a symbolic link below the
// output folder. Existing content: the same is left alone; other content is refused unless
// `force`. All of this is decided for everything chosen before the first file is written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "project/project.h"
#include "trail/status.h"

namespace trail {

struct RestoredArtifact {
  std::string path;  // as recorded, relative to the output folder
  std::string role;
  std::string dest;  // where it is now
  uint64_t size = 0;
  bool folder = false;  // a SavedModel and its variables/ and assets/, stored as one tree
};

struct ArtifactRestore {
  std::string out;  // the output folder
  std::vector<RestoredArtifact> restored;
  std::vector<std::string> warnings;  // artifacts recorded without their content (older records)
};

// Restores the artifacts `wanted` names (by path, file name or role; empty: all) under `out`
// (empty: a folder named after the run). NotFound for a wanted name that no artifact has.
StatusOr<ArtifactRestore> RestoreArtifacts(const Project& project, const Json& record,
                                           const std::vector<std::string>& wanted, const std::string& out, bool force);

struct RestoredSnapshot {
  std::string role;
  std::string dest;
  Json rows, instances;
};

// Restores the data snapshot of `role` to `out`: a file, or a folder (existing, or ending in '/';
// empty: ".") that gets `<run>-<role>-snapshot.<format>`.
StatusOr<RestoredSnapshot> RestoreSnapshot(const Project& project, const Json& record, const std::string& role,
                                           const std::string& out, bool force);

}  // namespace trail
