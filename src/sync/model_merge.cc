#include "sync/model_merge.h"

#include <algorithm>
#include <tuple>

#include "base/yaml.h"
#include "record/record.h"
#include "record/registry_layout.h"

namespace trail {
namespace {

StatusOr<Json> ReadMapping(const git::Repo& repo, const std::string& oid, const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(std::string text, repo.ReadBlob(oid));
  TRAIL_ASSIGN_OR_RETURN(Json rec, ParseYaml(text, path));
  if (!rec.is_object()) return Corrupt(path + ": expected a mapping");
  return rec;
}

int64_t HighestVersion(const git::Repo& repo, const std::string& commit, const std::string& name) {
  int64_t best = 0;
  auto entries = repo.ListDir(commit, record::VersionsDir(name));
  if (entries.ok())
    for (const git::TreeEntry& e : *entries) best = std::max(best, record::VersionOfFileName(e.name).value_or(0));
  return best;
}

// The local record's uid -> the move that renumbers it.
StatusOr<std::map<std::string, const ModelVersionMove*>> ByUid(const git::Repo& repo,
                                                               const std::vector<ModelVersionMove>& moves) {
  std::map<std::string, const ModelVersionMove*> out;
  for (const ModelVersionMove& m : moves) {
    TRAIL_ASSIGN_OR_RETURN(Json rec, ReadMapping(repo, m.local_oid, record::VersionPath(m.name, m.from)));
    out[record::GetString(rec, "uid")] = &m;
  }
  return out;
}

}  // namespace

StatusOr<bool> IsVersionCollision(const git::Repo& repo, const std::string& path, const std::string& local_oid,
                                  const std::string& remote_oid) {
  if (!record::ParseVersionPath(path) || local_oid.empty() || remote_oid.empty() || local_oid == remote_oid)
    return false;
  TRAIL_ASSIGN_OR_RETURN(Json mine, ReadMapping(repo, local_oid, path));
  TRAIL_ASSIGN_OR_RETURN(Json theirs, ReadMapping(repo, remote_oid, path));
  return record::GetString(mine, "uid") != record::GetString(theirs, "uid");
}

StatusOr<std::vector<ModelVersionMove>> PlanVersionMoves(const git::Repo& repo, const std::string& local,
                                                         const std::string& remote,
                                                         const std::map<std::string, std::string>& colliding) {
  std::vector<ModelVersionMove> moves;
  for (const auto& [path, oid] : colliding) {
    auto parts = record::ParseVersionPath(path);
    if (!parts) return Corrupt(path + ": not a version record");
    moves.push_back({parts->name, parts->version, 0, oid});
  }
  std::sort(moves.begin(), moves.end(), [](const ModelVersionMove& a, const ModelVersionMove& b) {
    return std::tie(a.name, a.from) < std::tie(b.name, b.from);
  });
  std::map<std::string, int64_t> next;
  for (ModelVersionMove& m : moves) {
    auto it = next.find(m.name);
    if (it == next.end())
      it = next.emplace(m.name, std::max(HighestVersion(repo, local, m.name), HighestVersion(repo, remote, m.name)))
               .first;
    if (it->second >= record::kMaxModelVersion) return FailedPrecondition("model " + m.name + " has too many versions");
    m.to = ++it->second;
  }
  return moves;
}

StatusOr<std::string> FollowRenamedRun(const std::string& path, const std::string& text,
                                       const std::map<std::string, std::string>& renamed_runs) {
  if (renamed_runs.empty() || !record::ParseVersionPath(path)) return text;
  TRAIL_ASSIGN_OR_RETURN(Json rec, ParseYaml(text, path));
  if (!rec.is_object()) return text;
  auto it = renamed_runs.find(record::GetString(rec, "run"));
  if (it == renamed_runs.end()) return text;
  rec["run"] = it->second;
  return EmitYaml(rec);
}

StatusOr<std::vector<git::FileWrite>> MovedVersionWrites(const git::Repo& repo,
                                                         const std::vector<ModelVersionMove>& moves,
                                                         const std::map<std::string, std::string>& renamed_runs) {
  std::vector<git::FileWrite> writes;
  for (const ModelVersionMove& m : moves) {
    const std::string path = record::VersionPath(m.name, m.from);
    TRAIL_ASSIGN_OR_RETURN(Json rec, ReadMapping(repo, m.local_oid, path));
    // The same keys in the same order, `renumbered_from` right after `version`.
    Json out = Json::object();
    for (auto it = rec.begin(); it != rec.end(); ++it) {
      if (it.key() == "renumbered_from") continue;
      if (it.key() == "version") {
        out["version"] = m.to;
        out["renumbered_from"] = rec.contains("renumbered_from") ? rec["renumbered_from"] : Json(m.from);
        continue;
      }
      out[it.key()] = it.value();
    }
    const std::string to = record::VersionPath(m.name, m.to);
    TRAIL_ASSIGN_OR_RETURN(std::string text, FollowRenamedRun(to, EmitYaml(out), renamed_runs));
    writes.push_back({to, std::move(text)});
  }
  return writes;
}

StatusOr<std::string> FollowMovedVersions(const git::Repo& repo, const std::string& path, const std::string& text,
                                          const std::vector<ModelVersionMove>& moves) {
  if (moves.empty() || !record::IsAliasMovePath(path)) return text;
  TRAIL_ASSIGN_OR_RETURN(Json rec, ParseYaml(text, path));
  if (!rec.is_object()) return text;
  TRAIL_ASSIGN_OR_RETURN(auto by_uid, ByUid(repo, moves));
  bool changed = false;
  for (const auto& [uid_key, number_key] :
       {std::pair{"version_uid", "version"}, std::pair{"from_uid", "from_version"}}) {
    auto it = by_uid.find(record::GetString(rec, uid_key));
    if (it == by_uid.end() || record::GetString(rec, "model") != it->second->name) continue;
    rec[number_key] = it->second->to;
    changed = true;
  }
  return changed ? EmitYaml(rec) : text;
}

}  // namespace trail
