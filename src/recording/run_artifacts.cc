#include "recording/run_artifacts.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "base/files.h"
#include "base/safe_path.h"
#include "base/text.h"
#include "record/live_files.h"
#include "recording/model_summary.h"
#include "recording/session.h"
#include "store/file_store.h"
#include "store/presets.h"
#include "tracked/data_paths.h"
#include "tracked/pointer.h"
#include "tracked/stored_paths.h"

namespace trail {
namespace fs = std::filesystem;
namespace {

struct FileState {
  uint64_t size = 0, mtime_ns = 0;
};

std::optional<FileState> StateOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileState{static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull +
                                                          static_cast<uint64_t>(st.st_mtim.tv_nsec)};
}

// Why the file `rel` cannot be an artifact, or Ok: a path through a symbolic link could lead out
// of the work tree (to a secret), and a name that is not UTF-8 cannot be recorded.
Status CheckArtifactPath(const Project& project, const std::string& rel) {
  TRAIL_RETURN_IF_ERROR(CheckUtf8Name(rel));
  return RefuseLinks(project.root(), rel);
}

// The files under the folder `rel` (relative to the root), each one warned about that is a link,
// a special file or not named in UTF-8; with no warnings collected, those are just left out.
StatusOr<std::vector<std::string>> ArtifactFilesUnder(const Project& project, const std::string& rel,
                                                      std::vector<std::string>* warnings) {
  std::vector<std::string> skipped, out;
  TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> files, ListFilesUnder(JoinPath(project.root(), rel), &skipped));
  for (const std::string& f : skipped) {
    if (warnings)
      warnings->push_back("artifact " + EscapeForMessage(rel + "/" + f) +
                          " not stored: a symbolic link or special file");
  }
  for (const std::string& f : files) {
    Status named = CheckUtf8Name(rel + "/" + f);
    if (named.ok()) {
      out.push_back(rel + "/" + f);
    } else if (warnings) {
      warnings->push_back("artifact not stored: " + named.message());
    }
  }
  return out;
}

bool IsSavedModelFile(const std::string& rel) {
  std::string name = rel.substr(rel.find_last_of('/') == std::string::npos ? 0 : rel.find_last_of('/') + 1);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name == "saved_model.pb" || name == "saved_model.pbtxt";
}

// The SavedModel folders among `candidates` (the parents of saved_model.pb), outermost only.
std::vector<std::string> SavedModelDirs(const std::vector<std::pair<std::string, bool>>& candidates) {
  std::vector<std::string> dirs;
  for (const auto& [rel, keep] : candidates) {
    const std::string dir = ParentOf(rel);
    if (!dir.empty() && IsSavedModelFile(rel)) dirs.push_back(dir);
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<std::string> outer;
  for (const std::string& d : dirs) {
    if (outer.empty() || (d != outer.back() && d.rfind(outer.back() + "/", 0) != 0)) outer.push_back(d);
  }
  return outer;
}

// The SavedModel folder `rel` belongs to, or "".
std::string SavedModelDirOf(const std::vector<std::string>& dirs, const std::string& rel) {
  for (const std::string& d : dirs) {
    if (rel.rfind(d + "/", 0) == 0) return d;
  }
  return "";
}

}  // namespace

bool IsSavedModelDir(const std::string& abs_path) {
  return IsDirectory(abs_path) &&
         (PathExists(JoinPath(abs_path, "saved_model.pb")) || PathExists(JoinPath(abs_path, "saved_model.pbtxt")));
}

StatusOr<Json> StoreSavedModel(store::LocalStore& store, const std::string& abs_path, const std::string& rel,
                               std::vector<std::string>* warnings) {
  TRAIL_ASSIGN_OR_RETURN(Pointer p, StorePath(store, abs_path));
  Json a = Json::object();
  a["path"] = rel;
  a["role"] = "saved_model";
  a["type"] = "folder";
  a["files"] = p.files;
  a["size"] = p.size;
  a["oid"] = OidString(p.oid);
  SummarizeModelArtifact(abs_path, a, warnings);
  return a;
}

StatusOr<std::vector<std::string>> ConfiguredArtifactDirs(const Project& project) {
  std::vector<std::string> out;
  const Json& config = project.config();
  if (!config.contains("artifacts")) return out;
  const Json& a = config["artifacts"];
  if (!a.is_array()) return InvalidArgument(".trail/config.yaml: artifacts: expected a list of folders");
  for (const Json& v : a) {
    if (!v.is_string() || v.get<std::string>().empty())
      return InvalidArgument(".trail/config.yaml: artifacts: expected folder names, got " + v.dump());
    std::string rel = v.get<std::string>();
    while (rel.size() > 1 && rel.back() == '/') rel.pop_back();
    // The config is committed, so it may come from another clone: the same rule as every path.
    if (!IsSafeRelativePath(rel) || !UnsafePathReason(rel, /*outside_repo_dirs=*/true).empty())
      return InvalidArgument(".trail/config.yaml: artifacts: " + rel + " must be a folder inside the repository");
    out.push_back(rel);
  }
  return out;
}

Status RecordArtifactBaseline(const Project& project, const LiveRun& run, const std::vector<std::string>& paths) {
  Json state = Json::object();
  Json named = Json::array();
  std::vector<std::string> rels;
  for (const std::string& abs : paths) {
    auto rel_or = RelativeToRoot(project, abs);
    if (!rel_or.ok()) return rel_or.status().WithContext("--artifact");
    const std::string rel = *rel_or;
    TRAIL_RETURN_IF_ERROR(CheckArtifactPath(project, rel).WithContext("--artifact"));
    named.push_back(rel);
    rels.push_back(rel);
  }
  TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> dirs, ConfiguredArtifactDirs(project));
  Json configured = Json::array();
  for (const std::string& d : dirs) {
    TRAIL_RETURN_IF_ERROR(CheckArtifactPath(project, d).WithContext(".trail/config.yaml: artifacts"));
    configured.push_back(d);
    rels.push_back(d);
  }
  if (rels.empty()) return Status::Ok();
  Json before = Json::object();
  for (const std::string& rel : rels) {
    const std::string full = JoinPath(project.root(), rel);
    if (IsDirectory(full)) {
      auto files = ArtifactFilesUnder(project, rel, nullptr);  // the end of the run warns
      if (!files.ok()) continue;
      for (const std::string& f : *files) {
        if (auto s = StateOf(JoinPath(project.root(), f))) before[f] = Json::array({s->size, s->mtime_ns});
      }
    } else if (auto s = StateOf(full)) {
      before[rel] = Json::array({s->size, s->mtime_ns});
    }
  }
  state["named"] = named;
  state["configured"] = configured;
  state["before"] = before;
  return WriteFileAtomic(run.path(record::live::kArtifactsStateFile), state.dump());
}

StatusOr<Json> StoreRunArtifacts(const Project& project, const LiveRun& run, store::LocalStore& store,
                                 std::vector<std::string>* warnings) {
  Json out = Json::array();
  if (!PathExists(run.path(record::live::kArtifactsStateFile))) return out;
  TRAIL_ASSIGN_OR_RETURN(std::string text, ReadFile(run.path(record::live::kArtifactsStateFile)));
  const Json state = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!state.is_object()) return Corrupt(run.path(record::live::kArtifactsStateFile) + ": not a JSON object");
  const Json before = state.value("before", Json::object());
  auto changed = [&](const std::string& rel, const FileState& now) {
    if (!before.contains(rel) || !before[rel].is_array() || before[rel].size() != 2) return true;
    return before[rel][0].get<uint64_t>() != now.size || before[rel][1].get<uint64_t>() != now.mtime_ns;
  };
  std::vector<std::pair<std::string, bool>> candidates;  // relative path, kept even if unchanged
  auto collect = [&](const std::string& rel, bool named) {
    const std::string full = JoinPath(project.root(), rel);
    // The run may have replaced a path with a link since the start.
    if (Status usable = CheckArtifactPath(project, rel); !usable.ok()) {
      warnings->push_back("artifact not stored: " + usable.message());
      return;
    }
    if (IsDirectory(full)) {
      auto files = ArtifactFilesUnder(project, rel, warnings);
      if (!files.ok()) {
        warnings->push_back("artifacts: " + files.status().message());
        return;
      }
      for (const std::string& f : *files) candidates.emplace_back(f, false);
    } else if (PathExists(full)) {
      candidates.emplace_back(rel, named);
    } else if (named) {
      warnings->push_back("artifact " + rel + " was not created by the run");
    }
  };
  for (const Json& n : state.value("named", Json::array())) {
    if (n.is_string()) collect(n.get<std::string>(), true);
  }
  for (const Json& c : state.value("configured", Json::array())) {
    if (c.is_string()) collect(c.get<std::string>(), false);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end(),
                               [](const auto& a, const auto& b) { return a.first == b.first; }),
                   candidates.end());
  // A SavedModel is one artifact: saved_model.pb is useless without its variables/ and assets/,
  // so the whole folder is stored as a tree when any file in it is new or changed.
  const std::vector<std::string> saved_models = SavedModelDirs(candidates);
  std::set<std::string> saved_models_changed;
  for (const auto& [rel, keep_always] : candidates) {
    const std::string dir = SavedModelDirOf(saved_models, rel);
    if (dir.empty()) continue;
    auto now = StateOf(JoinPath(project.root(), rel));
    if (now && (keep_always || changed(rel, *now))) saved_models_changed.insert(dir);
  }
  std::set<std::string> saved_models_stored;
  for (const auto& [rel, keep_always] : candidates) {
    if (const std::string dir = SavedModelDirOf(saved_models, rel); !dir.empty()) {
      if (!saved_models_changed.count(dir) || !saved_models_stored.insert(dir).second) continue;
      auto a = StoreSavedModel(store, JoinPath(project.root(), dir), dir, warnings);
      if (a.ok())
        out.push_back(*a);
      else
        warnings->push_back("artifact " + dir + " not stored: " + a.status().message());
      continue;
    }
    const std::string full = JoinPath(project.root(), rel);
    auto now = StateOf(full);
    if (!now || (!keep_always && !changed(rel, *now))) continue;
    auto m = store::StoreFile(store, full, store::ChunkingFor(rel), /*flush=*/false);
    if (!m.ok()) {
      warnings->push_back("artifact " + rel + " not stored: " + m.status().message());
      continue;
    }
    Json a = Json::object();
    a["path"] = rel;
    a["role"] = GuessArtifactRole(rel);
    a["size"] = m->size;
    a["oid"] = OidString(m->id);
    SummarizeModelArtifact(full, a, warnings);
    out.push_back(a);
  }
  TRAIL_RETURN_IF_ERROR(store.Flush());
  return out;
}

}  // namespace trail
