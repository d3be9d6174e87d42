// `trail fsck`: reads every pack, verifies every blob against its id, and names the data and
// runs that need a missing or corrupt object (docs/store-maintenance.md, "fsck").
//
// Memory is bounded by one pack (about 64 MiB) plus a bit per blob: packs are read one at a time.
// Holds the store lock shared, so a gc cannot delete packs under it while writers go on.
#pragma once

#include <string>
#include <vector>

#include "project/project.h"
#include "trail/progress.h"
#include "trail/status.h"
#include "upkeep/store_roots.h"

namespace trail {

struct FsckReport {
  size_t packs = 0;
  size_t blobs = 0;
  size_t roots = 0;
  // One line each: "corrupt pack <id>: <reason>", "missing pack <id>", "corrupt index <id>: ...",
  // "missing chunk <id> needed by data/train.csv (pointer in worktree)", ...
  std::vector<std::string> problems;
  // Not problems: stray packs a gc removes, pointers that could not be read.
  std::vector<std::string> notes;
  // What --repair did (store_repair.h), before the check.
  std::vector<std::string> repaired;
  bool clean() const { return problems.empty(); }
};

// Checks the store of `project` against its roots. An error only when the check itself could
// not run (no repository); a root collection that fails is reported as a problem. With
// `repair`, RepairStore runs first, and the check reports what is left.
// `progress` (may be null): one phase, "Checking objects", over the packs and their bytes.
StatusOr<FsckReport> CheckStore(Project& project, bool repair = false, ProgressSink* progress = nullptr);

// The same on a store folder; `roots` may be null (packs only).
StatusOr<FsckReport> CheckStoreDir(const std::string& store_dir, const StoreRoots* roots,
                                   ProgressSink* progress = nullptr);

}  // namespace trail
