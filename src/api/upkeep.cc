#include "trail/upkeep.h"

#include "api/project_access.h"
#include "upkeep/store_fsck.h"
#include "upkeep/store_gc.h"

namespace trail::api {

StatusOr<GcReport> CollectGarbage(Project& project, bool dry_run, ProgressSink* progress) {
  GcOptions options;
  options.dry_run = dry_run;
  options.progress = progress;
  auto r = trail::CollectGarbage(ProjectAccess::Of(project), options);
  if (!r.ok()) return r.status();
  GcReport out;
  for (const trail::GcPackAction& a : r->actions) {
    GcPackAction action;
    action.what =
        a.what == trail::GcPackAction::What::kRemove ? GcPackAction::What::kRemove : GcPackAction::What::kRewrite;
    action.pack_id = a.pack_id;
    action.dead_blobs = a.dead_blobs;
    action.live_blobs = a.live_blobs;
    action.dead_bytes = a.dead_bytes;
    action.pack_bytes = a.pack_bytes;
    out.actions.push_back(std::move(action));
  }
  out.stray = r->stray;
  out.rebuilt_indexes = r->rebuilt_indexes;
  out.removed_packs = r->removed_packs;
  out.rewritten_packs = r->rewritten_packs;
  out.freed_bytes = r->freed_bytes;
  out.kept_bytes = r->kept_bytes;
  out.warnings = r->warnings;
  return out;
}

StatusOr<FsckReport> CheckStore(Project& project, bool repair, ProgressSink* progress) {
  auto r = trail::CheckStore(ProjectAccess::Of(project), repair, progress);
  if (!r.ok()) return r.status();
  FsckReport out;
  out.packs = r->packs;
  out.blobs = r->blobs;
  out.roots = r->roots;
  out.problems = r->problems;
  out.notes = r->notes;
  out.repaired = r->repaired;
  return out;
}

}  // namespace trail::api
