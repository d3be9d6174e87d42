#include "trail/sync.h"

#include <filesystem>

#include "api/project_access.h"
#include "project/remotes.h"
#include "remote/backend.h"
#include "store/pack_transfer.h"
#include "sync/runs_sync.h"

namespace trail::api {
namespace {

using PackMover = StatusOr<store::PackTransferResult> (*)(const std::string&, remote::Backend&,
                                                          const store::PackTransferOptions&);

StatusOr<SyncReport> MovePacks(Project& handle, const SyncRequest& request, PackMover move) {
  trail::Project& project = ProjectAccess::Of(handle);
  StatusOr<trail::Remote> chosen = ChooseRemote(project, request.remote);
  if (!chosen.ok()) return chosen.status();
  StatusOr<std::unique_ptr<remote::Backend>> backend = OpenRemote(*chosen);
  if (!backend.ok()) return backend.status();
  store::PackTransferOptions options{request.jobs, request.progress};
  StatusOr<store::PackTransferResult> moved = move(project.store_dir(), **backend, options);
  if (!moved.ok()) return moved.status();
  SyncReport report;
  report.remote = chosen->name;
  report.where = (*backend)->Describe();
  report.packs_moved = moved->packs_moved;
  report.bytes_moved = moved->bytes_moved;
  report.packs_already = moved->packs_already;
  report.seconds = moved->seconds;
  return report;
}

}  // namespace

StatusOr<std::vector<Remote>> ListRemotes(Project& project) {
  auto remotes = LoadRemotes(ProjectAccess::Of(project));
  if (!remotes.ok()) return remotes.status();
  std::vector<Remote> out;
  for (const trail::Remote& r : *remotes) {
    Remote remote{r.name, r.url, {}, r.is_default};
    if (!r.settings.endpoint.empty()) remote.settings.emplace_back("endpoint", r.settings.endpoint);
    if (!r.settings.profile.empty()) remote.settings.emplace_back("profile", r.settings.profile);
    if (!r.settings.region.empty()) remote.settings.emplace_back("region", r.settings.region);
    out.push_back(std::move(remote));
  }
  return out;
}

StatusOr<std::string> AddRemote(Project& project, const std::string& name, const std::string& url, bool replace) {
  std::string stored = url;
  // A folder given relative to here: remotes.yaml holds absolute paths only.
  if (stored.find("://") == std::string::npos && !stored.empty() && stored.front() != '/')
    stored = std::filesystem::absolute(stored).lexically_normal().string();
  Status added = trail::AddRemote(ProjectAccess::Of(project), {name, stored, {}, false}, replace);
  if (!added.ok()) return added;
  return stored;
}

Status RemoveRemote(Project& project, const std::string& name) {
  return trail::RemoveRemote(ProjectAccess::Of(project), name);
}

Status SetDefaultRemote(Project& project, const std::string& name) {
  return trail::SetDefaultRemote(ProjectAccess::Of(project), name);
}

Status ModifyRemote(Project& project, const std::string& name, const std::string& key, const std::string& value) {
  return trail::ModifyRemote(ProjectAccess::Of(project), name, key, value);
}

StatusOr<SyncReport> PushPacks(Project& project, const SyncRequest& request) {
  return MovePacks(project, request, &store::PushPacks);
}

StatusOr<SyncReport> FetchPacks(Project& project, const SyncRequest& request) {
  return MovePacks(project, request, &store::FetchPacks);
}

bool SharesRunsOnly(Project& handle) {
  trail::Project& project = ProjectAccess::Of(handle);
  StatusOr<std::vector<trail::Remote>> remotes = LoadRemotes(project);
  if (!remotes.ok() || !remotes->empty()) return false;
  StatusOr<std::string> git_remote = MatchingGitRemote(project, "origin");
  return git_remote.ok() && !git_remote->empty();
}

RunsSyncReport SyncRuns(Project& handle, const std::string& store_remote, Direction direction) {
  trail::Project& project = ProjectAccess::Of(handle);
  GitSyncResult g =
      direction == Direction::kPush ? PushGitRefs(project, store_remote) : FetchGitRefs(project, store_remote);
  return {g.ok, g.message};
}

}  // namespace trail::api
