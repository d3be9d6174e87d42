// What in the repository still needs objects in the store: the roots of gc's mark phase and of
// fsck's "needed by" messages (docs/store-maintenance.md, "Roots").
//
//   - every pointer file (*.trail) in the work tree, committed or not;
//   - every *.trail blob in every commit reachable from refs/heads/*, refs/tags/*, refs/trail/*;
//   - every "oid" in every run record (run.yaml) in those same commits (artifacts, data, data
//     snapshots, metric series);
//   - every "oid" in every model version record (models/<name>/versions/<n>.yaml) there: a
//     registered model outlives its run;
//   - every "oid" in the annotations of live runs (.trail/live/*/annotations.jsonl), whose
//     artifacts are stored before the record is committed.
#pragma once

#include <string>
#include <vector>

#include "project/project.h"
#include "store/hash.h"
#include "trail/status.h"

namespace trail {

struct StoreRoot {
  // A pointer names a file or a folder (tree); an oid in a run record may be either: a tree
  // when the store holds a tree blob with that id, else a file.
  enum class Kind { kFile, kTree, kFileOrTree };
  store::Sha256Digest id{};
  Kind kind = Kind::kFile;
  // For messages: "data/train.csv (pointer in worktree)", "data/train.csv.trail (committed)",
  // "run fraud-12 artifact model.pt", "live run fraud-13 artifact model.pt".
  std::string source;
};

struct StoreRoots {
  std::vector<StoreRoot> roots;
  // Files that could name roots but could not be read (a pointer or run record that does not
  // parse, a live run's start record or annotation line that does not): what they name is
  // unknown, so gc deletes nothing while there are any; fsck reports them.
  std::vector<std::string> unreadable;
};

// Fails (and gc must then delete nothing) when the work tree, a ref, or anything in the Git
// history they reach cannot be read.
StatusOr<StoreRoots> CollectStoreRoots(Project& project);

// Exposed for tests: every string under a key named "oid" anywhere in `value` that is
// "sha256:<64 hex>", with a label saying where it sat ("artifact model.pt", "data train
// snapshot", ...).
struct FoundOid {
  store::Sha256Digest id{};
  std::string label;
};
std::vector<FoundOid> FindOids(const Json& value);

}  // namespace trail
