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
  for (const Remote& r : remotes) all[r.name] = Json{{"url", r.url}};
  Json doc = Json::object();
  doc["remotes"] = all;
  TRAIL_RETURN_IF_ERROR(MakeDirs(project.shared_dir()));
  return WriteFileAtomic(RemotesPath(project),
                         "# trail remotes of this clone: trail remote add / rm (docs/remotes.md)\n" + EmitYaml(doc));
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
  for (const auto& [name, value] : all.items()) {
    if (!value.is_object() || !value.contains("url") || !value["url"].is_string())
      return bad("remote " + name + " has no url");
    out.push_back({name, value["url"].get<std::string>()});
  }
  std::sort(out.begin(), out.end(), [](const Remote& a, const Remote& b) { return a.name < b.name; });
  return out;
}

Status AddRemote(const Project& project, const Remote& remote, bool replace) {
  TRAIL_RETURN_IF_ERROR(CheckRemoteName(remote.name));
  StatusOr<std::unique_ptr<remote::Backend>> backend = remote::OpenBackend(remote.url);
  if (!backend.ok()) return backend.status();
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, LockRemotes(project));
  TRAIL_ASSIGN_OR_RETURN(std::vector<Remote> remotes, LoadRemotes(project));
  auto it = std::find_if(remotes.begin(), remotes.end(), [&](const Remote& r) { return r.name == remote.name; });
  if (it != remotes.end()) {
    if (!replace)
      return AlreadyExists("remote " + remote.name + " already exists (" + RedactUrlSecrets(it->url) +
                           "); --force replaces it");
    it->url = remote.url;
  } else {
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
  if (remotes.size() == 1) return remotes.front();
  for (const Remote& r : remotes)
    if (r.name == "origin") return r;
  return FailedPrecondition("several remotes and none is named origin: choose one with --remote NAME");
}

}  // namespace trail
