// `trail gc`: deletes what nothing in the repository needs any more (docs/store-maintenance.md).
//
// Mark: every root (store_roots.h) is expanded, trees to files, files to their manifests'
// chunks, into the set of live blobs. Sweep, per pack: all dead -> the .idx is deleted, then the
// .pack (a pack without an index is invisible, so a crash in between leaves only a stray file);
// more than `rewrite_dead_fraction` of its bytes dead -> its live blobs are copied into new packs,
// which are published (pack, then index) before the old index and pack are deleted; else kept.
// A pack without an index gets it rebuilt from the pack first (then is swept like the others);
// temp files older than `temp_age_s` are deleted. Roots that cannot be read stop it all.
//
// The store lock is held exclusively from before the roots are collected until the sweep is
// done: writers hold it shared from open to close (and write their pointers before closing), so
// every pointer or record a writer makes is either seen by the roots or made after gc is done.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "project/project.h"
#include "store/local_store.h"
#include "trail/progress.h"
#include "trail/status.h"
#include "upkeep/store_roots.h"

namespace trail {

struct GcOptions {
  bool dry_run = false;
  double rewrite_dead_fraction = 0.10;
  int64_t temp_age_s = 3600;
  // Seconds since the epoch; injectable so tests can age temp files without sleeping.
  std::time_t now = 0;  // 0: the real clock
  // Phases "Marking live objects" (roots) and, unless a dry run, "Rewriting packs"; may be null.
  // Must outlive the call.
  ProgressSink* progress = nullptr;
};

struct GcPackAction {
  enum class What { kRemove, kRewrite };
  What what = What::kRemove;
  std::string pack_id;
  size_t dead_blobs = 0;
  size_t live_blobs = 0;
  uint64_t dead_bytes = 0;  // stored bytes of dead blobs
  uint64_t pack_bytes = 0;  // the pack file's size
};

struct GcResult {
  std::vector<GcPackAction> actions;         // with dry_run: what would be done
  std::vector<std::string> stray;            // old temp files and rewrite folders (removed unless dry_run)
  std::vector<std::string> rebuilt_indexes;  // packs whose lost .idx was rebuilt (dry_run: would be)
  size_t removed_packs = 0;
  size_t rewritten_packs = 0;
  uint64_t freed_bytes = 0;  // estimated for a dry run
  uint64_t kept_bytes = 0;   // packs and indexes left
  size_t live_blobs = 0;
  std::vector<std::string> warnings;  // roots whose objects are missing, unindexed packs that do not verify
};

// Walks every blob `root` needs: its tree (if a folder), each file's manifest, each manifest's
// chunks. `visit(key, read)` gets `read` = the error reading a tree or manifest (its files or
// chunks are then unknown and not visited), Ok otherwise (chunks are listed, not read). When
// `visit` returns false for a tree or manifest, what is under it is not walked (already seen).
using NeededBlobVisitor = std::function<bool(const store::BlobKey& key, const Status& read)>;
void ForEachNeededBlob(const store::LocalStore& store, const StoreRoot& root, const NeededBlobVisitor& visit);

// Collects the roots of `project` and sweeps its store. Deletes nothing when the roots cannot be
// collected (a damaged ref, commit or tree; a pointer or record that does not parse) or a live
// tree or manifest is corrupt: what they need would be unknowable.
StatusOr<GcResult> CollectGarbage(Project& project, const GcOptions& options);

// The same on a store folder with roots already collected; `lock_held`: the caller holds the
// store lock exclusively (CollectGarbage does; tests may let this take it). Its deletions,
// moves, folder syncs, the lock and the clock (when options.now is 0) go through `env`
// (CollectGarbage passes the project's); reading packs and writing replacement packs is the
// store's own business, on the real disk.
StatusOr<GcResult> SweepStore(const std::string& store_dir, const StoreRoots& roots, const GcOptions& options,
                              bool lock_held = false, Env& env = *Env::Default());

}  // namespace trail
