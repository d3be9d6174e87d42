#include "trail/apply.h"

#include "api/project_access.h"
#include "reproduce/apply_run.h"

namespace trail::api {

StatusOr<ApplyResult> ApplyRun(Project& project, const ApplyRequest& request) {
  reproduce::ApplyOptions options;
  options.branch = request.branch;
  options.stash = request.stash;
  auto done = reproduce::ApplyRun(ProjectAccess::Of(project), request.run, options);
  if (!done.ok()) return done.status();
  ApplyResult out;
  out.id = done->id;
  out.snapshot = done->snapshot;
  out.branch = done->branch;
  out.stashed = done->stashed;
  out.stash_message = done->stash_message;
  out.changed = done->files.changed;
  out.added = done->files.added;
  out.deleted = done->files.deleted;
  for (const DataInputRestore& d : done->data) {
    out.data.push_back({d.role, d.path, d.oid, DataInputStateName(d.state), d.problem});
  }
  out.checked_out = done->checked_out;
  out.warnings = done->warnings;
  return out;
}

}  // namespace trail::api
