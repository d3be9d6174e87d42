// What is restored from a run record: its artifacts into a folder or a data snapshot (`trail
// get`), and its data inputs at their recorded paths (`trail reproduce`, `trail apply`).
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
#include "trail/progress.h"
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
// `progress` (may be null): one phase, "Restoring artifacts", over what is not there yet.
StatusOr<ArtifactRestore> RestoreArtifacts(const Project& project, const Json& record,
                                           const std::vector<std::string>& wanted, const std::string& out, bool force,
                                           ProgressSink* progress = nullptr);

struct RestoredSnapshot {
  std::string role;
  std::string dest;
  Json rows, instances;
};

// Restores the data snapshot of `role` to `out`: a file, or a folder (existing, or ending in '/';
// empty: ".") that gets `<run>-<role>-snapshot.<format>`.
StatusOr<RestoredSnapshot> RestoreSnapshot(const Project& project, const Json& record, const std::string& role,
                                           const std::string& out, bool force);

// A data input of a run (`data:` entry) and what became of it at its recorded path.
struct DataInputRestore {
  enum class State {
    kRestored,  // written from the store
    kPresent,   // already there with the recorded bytes
    kMissing,   // no stored copy (not in the local store, or recorded without a content id)
    kUrl,       // read from a URL by the program: trail has no copy to restore
    kConflict,  // other content is there (only with dry_run or without force)
  };
  std::string role;
  std::string path;  // the recorded source, relative to the root
  std::string oid;   // as recorded, "sha256:..."; empty for a URL or an input recorded without one
  bool folder = false;
  State state = State::kMissing;
  std::string problem;  // kMissing, kConflict: one line naming the input and why
};

const char* DataInputStateName(DataInputRestore::State state);

struct DataRestoreOptions {
  bool force = false;    // replace other content at a recorded path
  bool dry_run = false;  // decide each input's state, write nothing
};

// Restores every data input of `record` at its recorded path under `root` (a work tree of this
// project's repository: the user's, or a reproduction's), from the local store. Every input is
// planned (path checked as untrusted, links below `root` refused, present content hashed)
// before the first byte is written. Inputs that are missing or read from a URL are reported,
// not errors: the caller decides whether a run can go on without them. Conflicts are
// FailedPrecondition naming them (nothing written) unless `force` or `dry_run`. Corrupt for a
// record whose data list is malformed or names an unsafe path.
StatusOr<std::vector<DataInputRestore>> RestoreDataInputs(const Project& project, const Json& record,
                                                          const std::string& root, const DataRestoreOptions& options);

}  // namespace trail
