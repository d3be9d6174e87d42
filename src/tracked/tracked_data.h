// Data versioning as DVC users know it: `trail add PATH` stores a file or folder in the object
// store, writes PATH.trail for the user to commit and git-ignores PATH; `trail status` and
// `trail checkout` compare and restore the work tree against those pointers.
//
// Paths given here are absolute and inside the work tree; results name them relative to the
// repository root.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "project/project.h"
#include "tracked/pointer.h"
#include "trail/progress.h"
#include "trail/status.h"

namespace trail {

struct AddedData {
  std::string path;  // relative to the root
  Pointer pointer;
  bool unchanged = false;  // the pointer already said exactly this
  // Symbolic links and special files inside an added folder, relative to the root: not stored
  // (a link could lead anywhere), to be named in a warning.
  std::vector<std::string> skipped;
};

// Stores every path, then writes the pointers and .gitignore entries. Refuses (before storing
// anything) the repository itself, paths outside the work tree, inside .git or .trail, symbolic
// links and paths through them, names that are not UTF-8 or cannot be written to .gitignore,
// pointer files themselves, and paths Git already tracks (they would be in Git twice).
// `progress` (may be null): one phase, "Adding data", counting files and bytes.
StatusOr<std::vector<AddedData>> AddData(Project& project, const std::vector<std::string>& abs_paths,
                                         ProgressSink* progress = nullptr);

// kBroken: the pointer cannot be used (it does not parse, disagrees with the store, or what it
// names is damaged); TrackedData::problem says why. Other paths are still handled.
enum class DataState { kClean, kModified, kMissing, kBroken };
std::string_view DataStateName(DataState s);

struct TrackedData {
  std::string path;          // the data, relative to the root
  std::string pointer_path;  // relative to the root
  Pointer recorded;
  DataState state = DataState::kClean;
  bool in_store = true;  // false: some of the pointer's content is not in the local store (pull it)
  std::string problem;   // kBroken: one line naming the pointer and what is wrong
};

// Every pointer in the work tree, or the ones for `abs_paths` (a data path or its pointer).
StatusOr<std::vector<TrackedData>> DataStatus(Project& project, const std::vector<std::string>& abs_paths);

struct CheckedOut {
  std::string path;
  bool restored = false;  // false: it already matched
  std::string problem;    // not empty: this path was left alone because its pointer is broken
};

// Restores data that is missing or differs from its pointer. Data with changes the store does
// not have is refused (all of it before anything is written) unless `force`. Broken pointers
// are left alone and named in their CheckedOut; the other paths are restored.
// `progress` (may be null): one phase, "Checking out data", over what is to be restored.
StatusOr<std::vector<CheckedOut>> CheckoutData(Project& project, const std::vector<std::string>& abs_paths, bool force,
                                               ProgressSink* progress = nullptr);

// Every pointer file in the work tree, relative to the root, sorted.
StatusOr<std::vector<std::string>> FindPointerFiles(const Project& project);

}  // namespace trail
