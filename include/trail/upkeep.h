// Store upkeep (docs/store-maintenance.md): `trail gc` deletes stored objects nothing needs any
// more; `trail fsck` verifies every stored object and names what a damaged one affects.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trail/progress.h"
#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

struct GcPackAction {
  enum class What { kRemove, kRewrite };
  What what = What::kRemove;
  std::string pack_id;
  size_t dead_blobs = 0;
  size_t live_blobs = 0;
  uint64_t dead_bytes = 0;  // stored bytes of dead blobs
  uint64_t pack_bytes = 0;  // the pack file's size
};

struct GcReport {
  std::vector<GcPackAction> actions;         // with dry_run: what would be done
  std::vector<std::string> stray;            // old temp files and rewrite folders
  std::vector<std::string> rebuilt_indexes;  // packs whose lost .idx was rebuilt
  size_t removed_packs = 0;
  size_t rewritten_packs = 0;
  uint64_t freed_bytes = 0;  // estimated for a dry run
  uint64_t kept_bytes = 0;   // packs and indexes left
  std::vector<std::string> warnings;
};

// Holds the store's exclusive lock while it deletes; with `dry_run`, changes nothing.
// `progress` (may be null, must outlive the call): phases "Marking live objects" (roots) and
// "Rewriting packs".
StatusOr<GcReport> CollectGarbage(Project& project, bool dry_run, ProgressSink* progress = nullptr);

struct FsckReport {
  size_t packs = 0;
  size_t blobs = 0;
  size_t roots = 0;
  std::vector<std::string> problems;  // one line each: "corrupt pack <id>: <reason>", ...
  std::vector<std::string> notes;     // not problems: stray packs, unreadable pointers
  std::vector<std::string> repaired;  // what `repair` did, before the check
  bool clean() const { return problems.empty(); }
};

// An error only when the check could not run. With `repair`, lost pack indexes are rebuilt and
// damaged packs moved aside (keeping what verifies) first; the report says what is left.
// `progress` (may be null): one phase, "Checking objects", in packs and their bytes.
StatusOr<FsckReport> CheckStore(Project& project, bool repair, ProgressSink* progress = nullptr);

}  // namespace trail::api
