#include "tracked/run_restore.h"

#include <sys/stat.h>

#include "base/files.h"
#include "base/paths.h"
#include "base/safe_path.h"
#include "record/record.h"
#include "store/local_store.h"
#include "store/tree.h"
#include "tracked/hash_cache.h"
#include "tracked/pointer.h"
#include "tracked/stored_paths.h"

namespace trail {
namespace {

// One thing to restore: where, and what the record says it is.
struct Planned {
  const Json* item = nullptr;
  std::string rel;
  Pointer pointer;
  bool present = false;  // already there with this content
};

// The pointer an artifact or snapshot entry names: `oid`, and `type: folder` for a tree.
StatusOr<Pointer> PointerIn(const Json& item, const std::string& what) {
  const std::string oid_text = record::GetString(item, "oid");
  auto oid = ParseOid(oid_text);
  if (!oid) return Corrupt(what + ": the record's oid \"" + oid_text + "\" is not a sha256 id");
  const std::string type = record::GetString(item, "type");
  if (!type.empty() && type != "file" && type != "folder")
    return Corrupt(what + ": unknown type \"" + type + "\" in the record");
  Pointer p;
  p.oid = *oid;
  p.folder = type == "folder";
  return p;
}

// Whether `root`/`rel` already holds what `p` names. A file or folder there with other content
// is FailedPrecondition unless `force`.
StatusOr<bool> AlreadyThere(const store::LocalStore& st, const Pointer& p, const std::string& root,
                            const std::string& rel, bool force) {
  const std::string dest = JoinPath(root, rel);
  if (!PathExists(dest)) return false;
  const auto differs = [&](const std::string& path) -> StatusOr<bool> {
    if (force) return false;  // replaced
    return FailedPrecondition(path + " exists with other content (--force replaces it)");
  };
  if (!p.folder) {
    if (IsDirectory(dest)) return FailedPrecondition(dest + " is a folder; the stored content is a file");
    auto have = HashFile(dest);
    if (have.ok() && *have == p.oid) return true;
    return differs(dest);
  }
  if (!IsDirectory(dest)) return differs(dest);
  TRAIL_ASSIGN_OR_RETURN(store::TreeManifest tree, store::LoadTree(st, p.oid));
  bool all_there = true;
  for (const store::TreeEntry& e : tree.entries) {
    const std::string file = JoinPath(dest, e.path);
    if (!PathExists(file)) {
      all_there = false;
      continue;
    }
    auto have = HashFile(file);
    if (!have.ok() || *have != e.file) return differs(file);
  }
  return all_there;
}

// Checks one planned restore fully (paths, links, existing content) without writing.
Status Plan(const store::LocalStore& st, const std::string& root, bool force, Planned& p) {
  TRAIL_RETURN_IF_ERROR(CheckRestorable(st, p.pointer, root, p.rel));
  TRAIL_ASSIGN_OR_RETURN(p.present, AlreadyThere(st, p.pointer, root, p.rel, force));
  return Status::Ok();
}

// `cache`: the work tree's, when `root` is one (files restored are remembered, not hashed again);
// null: a throw-away cache, where files of a folder that already match are hashed, not rewritten.
Status Restore(const store::LocalStore& st, const std::string& root, const Planned& p, HashCache* cache = nullptr,
               ProgressSink* progress = nullptr) {
  if (p.present) return Status::Ok();
  HashCache throwaway = HashCache::Load("");
  return RestorePointer(st, p.pointer, root, p.rel, cache ? cache : &throwaway, p.rel, progress)
      .WithContext("restoring " + JoinPath(root, p.rel));
}

// Which of `artifacts` `wanted` names (by path, file name or role; empty: all). NotFound for a
// name no artifact has.
StatusOr<std::vector<bool>> ChooseArtifacts(const std::string& id, const Json& artifacts,
                                            const std::vector<std::string>& wanted) {
  std::vector<bool> used(wanted.size(), false);
  std::vector<bool> chosen(artifacts.size(), wanted.empty());
  std::vector<std::string> saved_model_dirs;
  for (size_t k = 0; k < artifacts.size(); ++k) {
    const Json& a = artifacts[k];
    if (!a.is_object()) return Corrupt(id + ": an artifact entry is not a mapping");
    const std::string path = record::GetString(a, "path");
    for (size_t i = 0; i < wanted.size(); ++i) {
      const std::string& w = wanted[i];
      if (w == path || w == BaseName(path) || w == record::GetString(a, "role")) chosen[k] = used[i] = true;
    }
    // Older records list a SavedModel file by file: saved_model.pb alone is no model.
    if (chosen[k] && record::GetString(a, "role") == "saved_model" && record::GetString(a, "type") != "folder" &&
        path.find('/') != std::string::npos)
      saved_model_dirs.push_back(path.substr(0, path.find_last_of('/') + 1));
  }
  for (size_t k = 0; k < artifacts.size(); ++k) {
    for (const std::string& dir : saved_model_dirs) {
      if (record::GetString(artifacts[k], "path").rfind(dir, 0) == 0) chosen[k] = true;
    }
  }
  for (size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) return NotFound(id + " has no artifact " + wanted[i]);
  }
  return chosen;
}

}  // namespace

StatusOr<ArtifactRestore> RestoreArtifacts(const Project& project, const Json& record,
                                           const std::vector<std::string>& wanted, const std::string& out, bool force,
                                           ProgressSink* progress) {
  const std::string id = record::GetString(record, "id");
  const Json artifacts = record.value("artifacts", Json::array());
  if (!artifacts.is_array() || artifacts.empty()) return NotFound(id + " has no stored artifacts");
  ArtifactRestore result;
  if (out.empty()) TRAIL_RETURN_IF_ERROR(CheckPathName(id, "run id"));
  result.out = out.empty() ? id : out;

  TRAIL_ASSIGN_OR_RETURN(std::vector<bool> chosen, ChooseArtifacts(id, artifacts, wanted));
  std::vector<Planned> plan;
  for (size_t k = 0; k < artifacts.size(); ++k) {
    if (!chosen[k]) continue;
    const Json& a = artifacts[k];
    const std::string path = record::GetString(a, "path");
    // The output folder may be the work tree itself (-o .): no artifact lands in .git or .trail.
    TRAIL_RETURN_IF_ERROR(CheckRelativePath(path, id + ": artifact path", /*outside_repo_dirs=*/true));
    if (record::GetString(a, "oid").empty()) {
      result.warnings.push_back(path + " was recorded without its content (an older record); skipped");
      continue;
    }
    Planned p;
    p.item = &a;
    p.rel = path;
    TRAIL_ASSIGN_OR_RETURN(p.pointer, PointerIn(a, id + ": artifact " + path));
    plan.push_back(std::move(p));
  }
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st, store::LocalStore::Open(project.store_dir()));
  if (!plan.empty()) TRAIL_RETURN_IF_ERROR(MakeDirs(result.out));
  for (Planned& p : plan) TRAIL_RETURN_IF_ERROR(Plan(*st, result.out, force, p));
  uint64_t total_files = 0, total_bytes = 0;
  for (const Planned& p : plan) {
    if (p.present) continue;
    total_files += p.pointer.folder ? p.pointer.files : 1;
    total_bytes += p.pointer.size;
  }
  ProgressPhase phase(total_files ? progress : nullptr, "Restoring artifacts", "files", total_files, total_bytes);
  for (const Planned& p : plan) {
    TRAIL_RETURN_IF_ERROR(Restore(*st, result.out, p, nullptr, progress));
    RestoredArtifact r;
    r.path = p.rel;
    r.role = record::GetString(*p.item, "role");
    r.dest = JoinPath(result.out, p.rel);
    // Records read back from YAML hold sizes as signed integers; anything else is no size.
    const Json size = p.item->value("size", Json());
    r.size = size.is_number_integer() && size.get<int64_t>() > 0 ? size.get<uint64_t>() : 0;
    r.folder = p.pointer.folder;
    result.restored.push_back(std::move(r));
  }
  return result;
}

StatusOr<RestoredSnapshot> RestoreSnapshot(const Project& project, const Json& record, const std::string& role,
                                           const std::string& out, bool force) {
  const std::string id = record::GetString(record, "id");
  const Json data = record.value("data", Json::array());
  std::string roles;
  for (const Json& d : data) {
    if (!d.is_object()) continue;
    const std::string r = record::GetString(d, "role");
    if (d.contains("snapshot")) roles += (roles.empty() ? "" : ", ") + r;
    if (r != role) continue;
    if (!d.contains("snapshot") || !d["snapshot"].is_object())
      return NotFound(id + ": the " + r + " data has no snapshot (format " + record::GetString(d, "format") + ")");
    std::string root = out.empty() ? "." : out;
    std::string name;
    const bool into_folder = IsDirectory(root) || root.back() == '/';
    if (into_folder || root.back() == '/') {
      // The file name is made of the record's words: each must stay one name.
      name = id + "-" + r + "-snapshot." + record::GetString(d, "format");
      TRAIL_RETURN_IF_ERROR(CheckPathName(name, id + ": snapshot file name"));
    } else {
      // A file the user named: its folder is theirs, its name is the last part.
      const size_t slash = root.find_last_of('/');
      name = root.substr(slash == std::string::npos ? 0 : slash + 1);
      root = slash == std::string::npos ? "." : (slash == 0 ? "/" : root.substr(0, slash));
    }
    Planned p;
    p.item = &d;
    p.rel = name;
    TRAIL_ASSIGN_OR_RETURN(p.pointer, PointerIn(d["snapshot"], id + ": " + r + " snapshot"));
    p.pointer.folder = false;
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st, store::LocalStore::Open(project.store_dir()));
    TRAIL_RETURN_IF_ERROR(MakeDirs(root));
    TRAIL_RETURN_IF_ERROR(Plan(*st, root, force, p));
    TRAIL_RETURN_IF_ERROR(Restore(*st, root, p));
    RestoredSnapshot result;
    result.role = r;
    result.dest = into_folder ? JoinPath(root, name) : out;
    result.rows = d["snapshot"].value("rows", Json());
    result.instances = d.value("instances", Json("?"));
    return result;
  }
  return NotFound(id + " has no " + role + " snapshot" + (roles.empty() ? "" : " (it has: " + roles + ")"));
}

const char* DataInputStateName(DataInputRestore::State state) {
  switch (state) {
    case DataInputRestore::State::kRestored:
      return "restored";
    case DataInputRestore::State::kPresent:
      return "present";
    case DataInputRestore::State::kMissing:
      return "missing";
    case DataInputRestore::State::kUrl:
      return "url";
    case DataInputRestore::State::kConflict:
      return "conflict";
  }
  return "?";
}

StatusOr<std::vector<DataInputRestore>> RestoreDataInputs(const Project& project, const Json& record,
                                                          const std::string& root, const DataRestoreOptions& options) {
  using State = DataInputRestore::State;
  const std::string id = record::GetString(record, "id");
  const Json data = record.value("data", Json::array());
  if (!data.is_array()) return Corrupt(id + ": the record's data is not a list");
  std::vector<DataInputRestore> out;
  std::vector<Planned> plan;  // what is to be written (state kRestored in `out`)
  std::unique_ptr<store::LocalStore> st;
  // The work tree's own hash cache when `root` is the project's tree (a reproduction's worktree
  // is a project of its own): a 1 GiB input checked out a moment ago is not hashed again here,
  // nor by the run that reads it next.
  HashCache cache = root == project.root() ? HashCache::LoadFor(project) : HashCache::Load("");
  for (const Json& d : data) {
    if (!d.is_object()) return Corrupt(id + ": a data entry is not a mapping");
    DataInputRestore r;
    r.role = record::GetString(d, "role");
    r.path = record::GetString(d, "source");
    r.oid = record::GetString(d, "oid");
    r.folder = record::GetString(d, "format") == "folder";
    const std::string what = id + ": " + r.role + " data " + r.path;
    if (r.path.find("://") != std::string::npos) {
      r.state = State::kUrl;
      r.problem = what + " is read from its URL by the program; trail holds no copy";
      out.push_back(std::move(r));
      continue;
    }
    if (!r.path.empty() && r.path[0] == '/') {
      // Data outside the project: read where it was, never written there.
      r.state = State::kMissing;
      r.problem = what + " is outside the project: not restored";
      if (!r.oid.empty() && !r.folder && PathExists(r.path)) {
        auto have = HashFile(r.path);
        if (have.ok() && OidString(*have) == r.oid) r.state = State::kPresent, r.problem.clear();
      }
      out.push_back(std::move(r));
      continue;
    }
    // The record may come from another clone: its path must stay in the work tree.
    TRAIL_RETURN_IF_ERROR(CheckRelativePath(r.path, id + ": data source", /*outside_repo_dirs=*/true));
    if (r.oid.empty()) {
      r.state = State::kMissing;
      r.problem = what + " was recorded without a content id";
      out.push_back(std::move(r));
      continue;
    }
    Planned p;
    p.item = &d;
    p.rel = r.path;
    TRAIL_ASSIGN_OR_RETURN(p.pointer, PointerIn(Json{{"oid", r.oid}, {"type", r.folder ? "folder" : "file"}}, what));
    if (!st) {
      TRAIL_ASSIGN_OR_RETURN(st, store::LocalStore::Open(project.store_dir()));
    }
    // Present with the recorded bytes is fine whatever the store holds (the code snapshot may
    // have carried a small untracked file).
    if (!p.pointer.folder) {
      const std::string dest = JoinPath(root, r.path);
      TRAIL_RETURN_IF_ERROR(CheckNoLinkBelow(root, r.path));
      if (PathExists(dest) && !IsDirectory(dest)) {
        auto have = cache.FileId(dest, r.path);
        if (have.ok() && *have == p.pointer.oid) {
          r.state = State::kPresent;
          out.push_back(std::move(r));
          continue;
        }
      }
    }
    // Sizes read back from YAML are signed; anything else is no size (and fails the check).
    const Json size = d.value("size", Json()), files = d.value("files", Json());
    p.pointer.size = size.is_number_integer() && size.get<int64_t>() >= 0 ? size.get<uint64_t>() : 0;
    if (p.pointer.folder)
      p.pointer.files = files.is_number_integer() && files.get<int64_t>() >= 0 ? files.get<uint64_t>() : 0;
    if (Status s = CheckStoredContent(*st, p.pointer); !s.ok()) {
      r.state = State::kMissing;
      r.problem =
          what + " (" + r.oid + ") " +
          (s.code() == Code::kNotFound ? "has no copy in the local store" : "cannot be restored: " + s.message());
      out.push_back(std::move(r));
      continue;
    }
    Status planned = Plan(*st, root, /*force=*/options.force, p);
    if (!planned.ok()) {
      if (planned.code() != Code::kFailedPrecondition) return planned.WithContext(what);
      r.state = State::kConflict;
      r.problem = planned.message();
      out.push_back(std::move(r));
      continue;
    }
    r.state = p.present ? State::kPresent : State::kRestored;
    plan.push_back(std::move(p));
    out.push_back(std::move(r));
  }
  if (options.dry_run) return out;
  std::string conflicts;
  for (const DataInputRestore& r : out) {
    if (r.state == State::kConflict) conflicts += (conflicts.empty() ? "" : "; ") + r.problem;
  }
  if (!conflicts.empty()) return FailedPrecondition(conflicts);
  for (size_t k = 0; k < plan.size(); ++k) TRAIL_RETURN_IF_ERROR(Restore(*st, root, plan[k], &cache));
  (void)cache.Save();  // a cache: failing to save it costs a hash later, nothing else
  return out;
}

}  // namespace trail
