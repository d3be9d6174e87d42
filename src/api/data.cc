#include "trail/data.h"

#include "api/project_access.h"
#include "record/record.h"
#include "tracked/pointer.h"
#include "tracked/run_restore.h"
#include "tracked/tracked_data.h"

namespace trail::api {

StatusOr<std::vector<AddedData>> AddData(Project& project, const std::vector<std::string>& abs_paths,
                                         ProgressSink* progress) {
  auto added = trail::AddData(ProjectAccess::Of(project), abs_paths, progress);
  if (!added.ok()) return added.status();
  std::vector<AddedData> out;
  for (const trail::AddedData& a : *added) {
    AddedData d;
    d.path = a.path;
    d.pointer_path = a.path + std::string(kPointerSuffix);
    // AddData lists the data in the .gitignore beside it.
    const size_t slash = a.path.find_last_of('/');
    d.gitignore = slash == std::string::npos ? ".gitignore" : a.path.substr(0, slash) + "/.gitignore";
    d.size = a.pointer.size;
    d.folder = a.pointer.folder;
    d.files = a.pointer.files;
    d.oid = OidString(a.pointer.oid);
    d.unchanged = a.unchanged;
    d.skipped = a.skipped;
    out.push_back(std::move(d));
  }
  return out;
}

StatusOr<std::vector<TrackedData>> DataStatus(Project& project, const std::vector<std::string>& abs_paths) {
  auto data = trail::DataStatus(ProjectAccess::Of(project), abs_paths);
  if (!data.ok()) return data.status();
  std::vector<TrackedData> out;
  for (const trail::TrackedData& t : *data) {
    TrackedData d;
    d.path = t.path;
    d.state = static_cast<DataState>(t.state);
    d.state_name = std::string(DataStateName(t.state));
    d.in_store = t.in_store;
    d.problem = t.problem;
    out.push_back(std::move(d));
  }
  return out;
}

// The two enums must agree: DataStatus converts by value.
static_assert(static_cast<int>(DataState::kBroken) == static_cast<int>(trail::DataState::kBroken));
static_assert(static_cast<int>(DataState::kMissing) == static_cast<int>(trail::DataState::kMissing));

StatusOr<std::vector<CheckedOut>> CheckoutData(Project& project, const std::vector<std::string>& abs_paths, bool force,
                                               ProgressSink* progress) {
  auto done = trail::CheckoutData(ProjectAccess::Of(project), abs_paths, force, progress);
  if (!done.ok()) return done.status();
  std::vector<CheckedOut> out;
  for (const trail::CheckedOut& c : *done) out.push_back({c.path, c.restored, c.problem});
  return out;
}

StatusOr<GetResult> GetFromRun(Project& handle, const GetRequest& request) {
  trail::Project& project = ProjectAccess::Of(handle);
  auto run = project.LoadRun(request.run);
  if (!run.ok()) return run.status();
  const Json& rec = run->record;
  GetResult result;
  result.id = record::GetString(rec, "id");
  if (!request.snapshot.empty()) {
    if (!request.artifacts.empty()) return InvalidArgument("--snapshot restores data; name no artifacts with it");
    auto snap = RestoreSnapshot(project, rec, request.snapshot, request.out, request.force);
    if (!snap.ok()) return snap.status();
    result.role = snap->role;
    result.dest = snap->dest;
    result.rows = snap->rows;
    result.instances = snap->instances;
    return result;
  }
  auto done = RestoreArtifacts(project, rec, request.artifacts, request.out, request.force, request.progress);
  if (!done.ok()) return done.status();
  result.out = done->out;
  result.warnings = done->warnings;
  for (const trail::RestoredArtifact& a : done->restored) {
    result.restored.push_back({a.path, a.role, a.dest, a.size, a.folder});
  }
  return result;
}

}  // namespace trail::api
