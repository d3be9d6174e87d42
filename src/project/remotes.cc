#include "project/remotes.h"

#include <algorithm>

#include "base/files.h"
#include "base/text.h"
#include "base/yaml.h"
#include "remote/backend.h"

namespace trail {
namespace {

std::string RemotesPath(const Project& project) { return JoinPath(project.shared_dir(), "remotes.yaml"); }

// Names appear on command lines and in messages: keep them to what needs no quoting.
Status CheckRemoteName(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 64 && name.front() != '-' && name.front() != '.' &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                           c == '_' || c == '.';
                  });
  if (!ok) return InvalidArgument("bad remote name \"" + name + "\": use letters, digits, '-', '_' and '.'");
  return Status::Ok();
}

Status SaveRemotes(const Project& project, const std::vector<Remote>& remotes) {
  Json all = Json::object();
  Json doc = Json::object();
  for (const Remote& r : remotes) {
    Json entry = Json{{"url", r.url}};
    if (!r.settings.endpoint.empty()) entry["endpoint"] = r.settings.endpoint;
    if (!r.settings.profile.empty()) entry["profile"] = r.settings.profile;
    if (!r.settings.region.empty()) entry["region"] = r.settings.region;
    all[r.name] = entry;
    if (r.is_default) doc["default"] = r.name;
  }
  doc["remotes"] = all;
  TRAIL_RETURN_IF_ERROR(MakeDirs(project.shared_dir()));
  return WriteFileAtomic(
      RemotesPath(project),
      "# trail remotes of this clone: trail remote add / rm / default / modify (docs/remotes.md)\n" + EmitYaml(doc));
}

// Held across each read-modify-write of remotes.yaml: two `trail remote add`s at once must both
// land, not the second overwrite the first with a list that lacks it.
StatusOr<FileLock> LockRemotes(const Project& project) {
  TRAIL_RETURN_IF_ERROR(MakeDirs(project.shared_dir()));
  return FileLock::Acquire(JoinPath(project.shared_dir(), "remotes.lock"));
}

}  // namespace

StatusOr<std::vector<Remote>> LoadRemotes(const Project& project) {
  const std::string path = RemotesPath(project);
  std::vector<Remote> out;
  if (!PathExists(path)) return out;
  TRAIL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  TRAIL_ASSIGN_OR_RETURN(Json doc, ParseYaml(text, path));
  if (doc.is_null()) return out;
  const auto bad = [&path](const std::string& why) { return Corrupt(path + ": " + why); };
  if (!doc.is_object()) return bad("not a mapping");
  if (!doc.contains("remotes") || doc["remotes"].is_null()) return out;
  const Json& all = doc["remotes"];
  if (!all.is_object()) return bad("remotes: not a mapping");
  std::string default_name;
  if (doc.contains("default") && !doc["default"].is_null()) {
    if (!doc["default"].is_string()) return bad("default: not a remote name");
    default_name = doc["default"].get<std::string>();
  }
  for (const auto& [name, value] : all.items()) {
    if (!value.is_object() || !value.contains("url") || !value["url"].is_string())
      return bad("remote " + name + " has no url");
    Remote r{name, value["url"].get<std::string>(), {}, name == default_name};
    for (const char* key : {"endpoint", "profile", "region"}) {
      if (!value.contains(key) || value[key].is_null()) continue;
      if (!value[key].is_string()) return bad("remote " + name + ": " + key + " is not text");
      Status set = remote::SetBackendSetting(r.settings, key, value[key].get<std::string>());
      if (!set.ok()) return bad("remote " + name + ": " + set.message());
    }
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const Remote& a, const Remote& b) { return a.name < b.name; });
  return out;
}

Status AddRemote(const Project& project, const Remote& remote, bool replace) {
  TRAIL_RETURN_IF_ERROR(CheckRemoteName(remote.name));
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, LockRemotes(project));
  TRAIL_ASSIGN_OR_RETURN(std::vector<Remote> remotes, LoadRemotes(project));
  auto it = std::find_if(remotes.begin(), remotes.end(), [&](const Remote& r) { return r.name == remote.name; });
  if (it != remotes.end()) {
    if (!replace)
      return AlreadyExists("remote " + remote.name + " already exists (" + RedactUrlSecrets(it->url) +
                           "); --force replaces it");
    // A new URL keeps the remote's settings, which must suit it.
    StatusOr<std::unique_ptr<remote::Backend>> backend = remote::OpenBackend(remote.url, it->settings);
    if (!backend.ok()) return backend.status();
    it->url = remote.url;
  } else {
    StatusOr<std::unique_ptr<remote::Backend>> backend = remote::OpenBackend(remote.url, remote.settings);
    if (!backend.ok()) return backend.status();
    remotes.push_back(remote);
  }
  return SaveRemotes(project, remotes);
}

Status RemoveRemote(const Project& project, const std::string& name) {
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, LockRemotes(project));
  TRAIL_ASSIGN_OR_RETURN(std::vector<Remote> remotes, LoadRemotes(project));
  auto it = std::find_if(remotes.begin(), remotes.end(), [&](const Remote& r) { return r.name == name; });
  if (it == remotes.end()) return NotFound("no remote named " + name);
  remotes.erase(it);
  return SaveRemotes(project, remotes);
}

StatusOr<Remote> ChooseRemote(const Project& project, const std::string& requested) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<Remote> remotes, LoadRemotes(project));
  if (!requested.empty()) {
    for (const Remote& r : remotes)
      if (r.name == requested) return r;
    return NotFound("no remote named " + requested + " (trail remote ls lists them)");
  }
  if (remotes.empty()) return FailedPrecondition("no remote configured: trail remote add origin URL");
  for (const Remote& r : remotes)
    if (r.is_default) return r;
  if (remotes.size() == 1) return remotes.front();
  for (const Remote& r : remotes)
    if (r.name == "origin") return r;
  return FailedPrecondition(
      "several remotes and none is named origin: choose one with --remote NAME, or set one with trail remote "
      "default NAME");
}

Status SetDefaultRemote(const Project& project, const std::string& name) {
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, LockRemotes(project));
  TRAIL_ASSIGN_OR_RETURN(std::vector<Remote> remotes, LoadRemotes(project));
  bool found = false;
  for (Remote& r : remotes) {
    r.is_default = r.name == name;
    found |= r.is_default;
  }
  if (!found) return NotFound("no remote named " + name + " (trail remote ls lists them)");
  return SaveRemotes(project, remotes);
}

Status ModifyRemote(const Project& project, const std::string& name, const std::string& key, const std::string& value) {
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, LockRemotes(project));
  TRAIL_ASSIGN_OR_RETURN(std::vector<Remote> remotes, LoadRemotes(project));
  auto it = std::find_if(remotes.begin(), remotes.end(), [&](const Remote& r) { return r.name == name; });
  if (it == remotes.end()) return NotFound("no remote named " + name + " (trail remote ls lists them)");
  TRAIL_RETURN_IF_ERROR(remote::SetBackendSetting(it->settings, key, value));
  StatusOr<std::unique_ptr<remote::Backend>> backend = OpenRemote(*it);
  if (!backend.ok()) return backend.status();
  return SaveRemotes(project, remotes);
}

StatusOr<std::unique_ptr<remote::Backend>> OpenRemote(const Remote& remote) {
  StatusOr<std::unique_ptr<remote::Backend>> backend = remote::OpenBackend(remote.url, remote.settings);
  if (!backend.ok()) return backend.status().WithContext("remote " + remote.name);
  return backend;
}

}  // namespace trail
