#include "registry/version_files.h"

#include <algorithm>
#include <set>

#include "record/record.h"

namespace trail::registry {
namespace {

// Roles that hold a model (run-data.md's artifact roles less `other`).
bool IsModelRole(const std::string& role) { return !role.empty() && role != "other"; }

std::string PathOf(const Json& a) { return record::GetString(a, "path"); }

std::string Describe(const Json& a) { return PathOf(a) + " (" + record::GetString(a, "role") + ")"; }

// "dir/" of "dir/name"; "" at the top.
std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

std::string NameOf(const std::string& path) { return path.substr(FolderOf(path).size()); }

// "m.ckpt" for "m.ckpt.index", "m.ckpt.data-00000-of-00001" or "m.ckpt.meta"; "" otherwise.
std::string CheckpointPrefix(const std::string& path) {
  for (std::string_view suffix : {".index", ".meta"})
    if (path.size() > suffix.size() && path.ends_with(suffix) && path[path.size() - suffix.size() - 1] != '/')
      return path.substr(0, path.size() - suffix.size());
  const size_t data = path.rfind(".data-");
  if (data != std::string::npos && data > 0 && path[data - 1] != '/' && path.find('/', data) == std::string::npos)
    return path.substr(0, data);
  return "";
}

bool IsShardOf(const std::string& path, const std::string& prefix) {
  return path.starts_with(prefix + ".data-") && path.find('/', prefix.size()) == std::string::npos;
}

// The artifacts `all[i]` cannot be loaded without, itself included, its group's primary file
// first (version_files.h lists the rules).
std::vector<size_t> Companions(const std::vector<const Json*>& all, size_t i) {
  const std::string path = PathOf(*all[i]);
  const std::string folder = FolderOf(path), name = NameOf(path);
  auto has = [&](auto pred) {
    return std::any_of(all.begin(), all.end(), [&](const Json* a) { return pred(PathOf(*a)); });
  };
  std::string prefix = CheckpointPrefix(path);
  if (name == "checkpoint") {
    // The state file goes with the one checkpoint of its folder; with several, it stands alone.
    std::set<std::string> prefixes;
    for (const Json* a : all) {
      const std::string p = PathOf(*a);
      if (FolderOf(p) == folder && !p.ends_with(".meta") && !CheckpointPrefix(p).empty())
        prefixes.insert(CheckpointPrefix(p));
    }
    if (prefixes.size() != 1) return {i};
    prefix = *prefixes.begin();
  }
  const bool checkpoint =
      !prefix.empty() && has([&](const std::string& p) { return p == prefix + ".index" || IsShardOf(p, prefix); });
  std::vector<size_t> out;
  if (checkpoint) {
    size_t primary = i;
    for (size_t j = 0; j < all.size(); ++j)
      if (PathOf(*all[j]) == prefix + ".index") primary = j;
    out.push_back(primary);
    const std::string state = FolderOf(prefix) + "checkpoint";
    for (size_t j = 0; j < all.size(); ++j) {
      const std::string p = PathOf(*all[j]);
      if (j != primary && (IsShardOf(p, prefix) || p == prefix + ".index" || p == prefix + ".meta" || p == state))
        out.push_back(j);
    }
    return out;
  }
  out.push_back(i);
  if ((name == "saved_model.pb" || name == "saved_model.pbtxt") && record::GetString(*all[i], "type") != "folder") {
    for (size_t j = 0; j < all.size(); ++j) {
      const std::string p = PathOf(*all[j]);
      if (j == i || !p.starts_with(folder)) continue;
      const std::string rest = p.substr(folder.size());
      if (rest.starts_with("variables/") || rest.starts_with("assets/") || rest.starts_with("assets.extra/") ||
          rest == "fingerprint.pb" || rest == "keras_metadata.pb")
        out.push_back(j);
    }
  } else if (name.size() > 5 && name.ends_with(".onnx")) {
    const std::string stem = name.substr(0, name.size() - 5);
    for (size_t j = 0; j < all.size(); ++j) {
      const std::string p = PathOf(*all[j]);
      if (j == i || FolderOf(p) != folder) continue;
      const std::string n = NameOf(p);
      if (n.starts_with(name + ".") || n.starts_with(name + "_") || n == stem + ".data" || n == stem + "_data")
        out.push_back(j);
    }
  }
  return out;
}

}  // namespace

StatusOr<Json> PickVersionFiles(const Json& rec, const std::vector<std::string>& wanted) {
  const std::string id = record::GetString(rec, "id");
  const Json artifacts = rec.value("artifacts", Json::array());
  if (!artifacts.is_array() || artifacts.empty()) return NotFound(id + " has no stored artifacts");
  std::vector<const Json*> all;
  std::string listing;
  for (const Json& a : artifacts) {
    if (!a.is_object()) return Corrupt(id + ": an artifact entry is not a mapping");
    all.push_back(&a);
    listing += (listing.empty() ? "" : ", ") + Describe(a);
  }

  std::vector<size_t> chosen;
  // Adds the one group `candidates` make up (several files of one checkpoint are one choice).
  auto choose = [&](const std::vector<size_t>& candidates, const std::string& ambiguous) -> Status {
    std::vector<std::vector<size_t>> groups;
    for (size_t c : candidates) {
      std::vector<size_t> g = Companions(all, c);
      if (std::none_of(groups.begin(), groups.end(), [&](const auto& h) { return h.front() == g.front(); }))
        groups.push_back(std::move(g));
    }
    if (groups.size() > 1) {
      std::string names;
      for (const auto& g : groups) names += (names.empty() ? "" : ", ") + Describe(*all[g.front()]);
      return FailedPrecondition(id + ": " + ambiguous + "; name one of: " + names);
    }
    for (size_t j : groups.front())
      if (std::find(chosen.begin(), chosen.end(), j) == chosen.end()) chosen.push_back(j);
    return Status::Ok();
  };

  if (wanted.empty()) {
    std::vector<size_t> candidates;
    for (size_t i = 0; i < all.size(); ++i)
      if (IsModelRole(record::GetString(*all[i], "role"))) candidates.push_back(i);
    if (candidates.empty()) return NotFound(id + " has no model artifact; name one of: " + listing);
    TRAIL_RETURN_IF_ERROR(choose(candidates, "more than one model artifact"));
  }
  for (const std::string& w : wanted) {
    std::vector<size_t> candidates;
    for (size_t i = 0; i < all.size(); ++i) {
      const std::string p = PathOf(*all[i]);
      if (w == p || w == NameOf(p) || w == record::GetString(*all[i], "role")) candidates.push_back(i);
    }
    if (candidates.empty()) return NotFound(id + " has no artifact " + w + "; it has: " + listing);
    TRAIL_RETURN_IF_ERROR(choose(candidates, w + " names more than one artifact"));
  }

  Json out = Json::array();
  for (size_t j : chosen) {
    const Json& a = *all[j];
    if (record::GetString(a, "oid").empty())
      return FailedPrecondition(id + ": " + PathOf(a) + " was recorded without its content");
    Json entry = Json::object();
    for (const char* key : {"path", "role", "type", "size", "files", "oid"})
      if (a.contains(key)) entry[key] = a[key];
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace trail::registry
