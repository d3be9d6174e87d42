// Tracked data (`trail add / status / checkout`, docs/data.md) and restoring what a run stored
// (`trail get`): artifacts and data snapshots.
//
// Paths given to these functions are absolute; paths they return are relative to the project
// root unless said otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trail/json.h"
#include "trail/progress.h"
#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

struct AddedData {
  std::string path;          // the data
  std::string pointer_path;  // PATH.trail, to commit
  std::string gitignore;     // the .gitignore that now lists the data, to commit
  uint64_t size = 0;
  bool folder = false;
  uint64_t files = 0;      // a folder's files
  std::string oid;         // the content id, "sha256:..."
  bool unchanged = false;  // the pointer already said exactly this
  // Symbolic links and special files inside an added folder: not stored (a link could lead
  // anywhere), to be named in a warning.
  std::vector<std::string> skipped;
};

// Stores every path in the object store, then writes the pointers and .gitignore entries.
// Refuses, before storing anything, paths outside the work tree, inside .git or .trail, symbolic
// links, pointer files and paths Git already tracks.
// `progress` (may be null, must outlive the call): one phase, "Adding data", in files and bytes.
StatusOr<std::vector<AddedData>> AddData(Project& project, const std::vector<std::string>& abs_paths,
                                         ProgressSink* progress = nullptr);

enum class DataState { kClean, kModified, kMissing, kBroken };

struct TrackedData {
  std::string path;  // the data
  DataState state = DataState::kClean;
  std::string state_name;  // "clean", "modified", "missing", "broken"
  bool in_store = true;    // false: some of its content is not in the local store (pull it)
  std::string problem;     // kBroken: one line naming the pointer and what is wrong
};

// Every pointer in the work tree, or those of `abs_paths` (data paths or their pointers).
StatusOr<std::vector<TrackedData>> DataStatus(Project& project, const std::vector<std::string>& abs_paths);

struct CheckedOut {
  std::string path;
  bool restored = false;  // false: it already matched
  std::string problem;    // not empty: left alone because its pointer is broken
};

// Restores data that is missing or differs from its pointer. Data with changes the store does
// not have is refused (all of it, before anything is written) unless `force`. Broken pointers
// are named in their CheckedOut; the other paths are still restored.
// `progress` (may be null): one phase, "Checking out data", over what is restored.
StatusOr<std::vector<CheckedOut>> CheckoutData(Project& project, const std::vector<std::string>& abs_paths, bool force,
                                               ProgressSink* progress = nullptr);

// `trail get`: what to restore from a run.
struct GetRequest {
  std::string run;                     // id, number or uid
  std::vector<std::string> artifacts;  // by path, file name or role; empty: all
  std::string out;                     // folder (default: one named after the run); with snapshot, a file or folder
  std::string snapshot;                // not empty: restore this role's data snapshot instead of artifacts
  bool force = false;                  // replace existing files with other content
  // Artifacts: one phase, "Restoring artifacts", in files and bytes. May be null; must outlive
  // the call.
  ProgressSink* progress = nullptr;
};

struct RestoredArtifact {
  std::string path;  // as recorded
  std::string role;
  std::string dest;  // where it is now
  uint64_t size = 0;
  bool folder = false;  // a SavedModel and its variables/ and assets/, stored as one tree
};

struct GetResult {
  std::string id;  // the run's id
  // Artifacts (snapshot empty in the request):
  std::string out;  // the output folder
  std::vector<RestoredArtifact> restored;
  std::vector<std::string> warnings;  // artifacts recorded without their content
  // A snapshot:
  std::string role, dest;
  Json rows, instances;  // the snapshot's rows of the data's instances
};

// InvalidArgument when both artifacts and a snapshot are asked for; NotFound for an unknown run,
// artifact or role; AlreadyExists for a file in the way with other content and !force.
StatusOr<GetResult> GetFromRun(Project& project, const GetRequest& request);

}  // namespace trail::api
