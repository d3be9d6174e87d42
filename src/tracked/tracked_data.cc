#include "tracked/tracked_data.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "base/files.h"
#include "base/safe_path.h"
#include "store/local_store.h"
#include "tracked/data_paths.h"
#include "tracked/gitignore.h"
#include "tracked/hash_cache.h"
#include "tracked/stored_paths.h"

namespace trail {
namespace fs = std::filesystem;
namespace {

// Adds the line that ignores `rel` (and trail's temp files beside it) to the .gitignore in its
// folder. `rel` was checked with IgnoreLineFor before anything was stored.
Status GitIgnore(const Project& project, const std::string& rel) {
  const size_t slash = rel.find_last_of('/');
  const std::string dir = slash == std::string::npos ? project.root() : JoinPath(project.root(), rel.substr(0, slash));
  TRAIL_ASSIGN_OR_RETURN(std::string line, IgnoreLineFor(slash == std::string::npos ? rel : rel.substr(slash + 1)));
  return AddIgnoreLines(JoinPath(dir, ".gitignore"), {line, std::string(kTempIgnoreLine)}, project.env());
}

// Refuses, before anything is stored, what `trail add` must not take: see AddData. Returns the
// path relative to the root; fills `skipped` with the links and special files inside a folder.
StatusOr<std::string> CheckAddable(Project& project, const std::string& abs, std::vector<std::string>* skipped) {
  TRAIL_ASSIGN_OR_RETURN(std::string rel, RelativeToRoot(project, abs));
  const std::string first = rel.substr(0, rel.find('/'));
  if (first == ".git" || first == ".trail")
    return InvalidArgument(rel == first ? rel + " is " + (first == ".git" ? "Git's" : "trail's") + " own folder"
                                        : rel + " is inside " + first + "/");
  TRAIL_RETURN_IF_ERROR(CheckUtf8Name(rel));
  // Also keeps every message below on one line: a name with a line break stops here.
  TRAIL_RETURN_IF_ERROR(IgnoreLineFor(rel.substr(rel.find_last_of('/') + 1)).status());
  if (rel.ends_with(kPointerSuffix)) return InvalidArgument(rel + " is a pointer file; add the data it points to");
  TRAIL_RETURN_IF_ERROR(RefuseLinks(project.root(), rel));
  const std::string full = JoinPath(project.root(), rel);
  if (!PathExists(full)) return NotFound("no such file or folder: " + rel);
  // Pointers must not nest: data inside a tracked folder, or a folder holding tracked data,
  // would be stored twice and restored by two pointers that disagree.
  for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1)) {
    const std::string parent = rel.substr(0, slash);
    if (PathExists(JoinPath(project.root(), parent + std::string(kPointerSuffix))))
      return FailedPrecondition(rel + " is inside " + parent + ", which is tracked already");
  }
  if (IsDirectory(full)) {
    std::vector<std::string> links;
    TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> inner, ListFilesUnder(full, &links));
    for (const std::string& f : inner) {
      if (f.ends_with(kPointerSuffix))
        return FailedPrecondition(rel + " holds tracked data (" + rel + "/" + f + "); add its parts separately");
      TRAIL_RETURN_IF_ERROR(CheckUtf8Name(rel + "/" + f));
    }
    for (const std::string& l : links) skipped->push_back(rel + "/" + l);
  }
  TRAIL_ASSIGN_OR_RETURN(bool tracked, project.repo().IsTracked(rel));
  if (tracked) return FailedPrecondition(rel + " is tracked by Git; run `git rm -r --cached " + rel + "` first");
  return rel;
}

StatusOr<std::vector<TrackedData>> Resolve(Project& project, const std::vector<std::string>& abs_paths) {
  std::vector<std::string> pointers;
  if (abs_paths.empty()) {
    TRAIL_ASSIGN_OR_RETURN(pointers, FindPointerFiles(project));
  } else {
    for (const std::string& abs : abs_paths) {
      TRAIL_ASSIGN_OR_RETURN(std::string rel, RelativeToRoot(project, abs));
      if (!rel.ends_with(kPointerSuffix)) rel += std::string(kPointerSuffix);
      if (!PathExists(JoinPath(project.root(), rel)))
        return NotFound(rel.substr(0, rel.size() - kPointerSuffix.size()) + " is not tracked (no " + rel + ")");
      pointers.push_back(rel);
    }
  }
  std::vector<TrackedData> out;
  for (const std::string& rel : pointers) {
    TrackedData d;
    d.pointer_path = rel;
    d.path = rel.substr(0, rel.size() - kPointerSuffix.size());
    auto pointer = ReadPointer(JoinPath(project.root(), rel), project.env());
    if (pointer.ok()) {
      d.recorded = *pointer;
    } else {
      // One bad pointer must not hide the state of every other one.
      d.state = DataState::kBroken;
      d.problem = pointer.status().message();
    }
    out.push_back(std::move(d));
  }
  return out;
}

// The files and bytes under `full` (a file or a folder) as listed now, for progress totals.
void CountFiles(const std::string& full, uint64_t& files, uint64_t& bytes) {
  struct stat st {};
  if (!IsDirectory(full)) {
    ++files;
    if (::stat(full.c_str(), &st) == 0) bytes += static_cast<uint64_t>(st.st_size);
    return;
  }
  auto listed = ListFilesUnder(full, nullptr);
  if (!listed.ok()) return;  // storing will report it
  for (const std::string& rel : *listed) {
    ++files;
    if (::stat(JoinPath(full, rel).c_str(), &st) == 0) bytes += static_cast<uint64_t>(st.st_size);
  }
}

}  // namespace

std::string_view DataStateName(DataState s) {
  switch (s) {
    case DataState::kClean:
      return "ok";
    case DataState::kModified:
      return "modified";
    case DataState::kMissing:
      return "missing";
    case DataState::kBroken:
      return "error";
  }
  return "?";
}

StatusOr<std::vector<std::string>> FindPointerFiles(const Project& project) {
  std::vector<std::string> out;
  std::error_code ec;
  const fs::path root(project.root());
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) return IoError("cannot list " + project.root() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return IoError("cannot list " + project.root() + ": " + ec.message());
    const fs::directory_entry& e = *it;
    const std::string name = e.path().filename().string();
    if (e.is_directory(ec) && !e.is_symlink(ec)) {
      // Git's and trail's own folders, and tracked data folders (often huge), hold no pointers.
      if (name == ".git" || name == ".trail" || name == "node_modules" ||
          fs::exists(e.path().string() + std::string(kPointerSuffix), ec)) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (name.ends_with(kPointerSuffix) && e.is_regular_file(ec))
      out.push_back(fs::relative(e.path(), root).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

StatusOr<std::vector<AddedData>> AddData(Project& project, const std::vector<std::string>& abs_paths,
                                         ProgressSink* progress) {
  if (abs_paths.empty()) return InvalidArgument("name at least one file or folder to add");
  std::vector<std::string> rels;
  std::vector<std::vector<std::string>> skipped(abs_paths.size());
  for (size_t i = 0; i < abs_paths.size(); ++i) {
    TRAIL_ASSIGN_OR_RETURN(std::string rel, CheckAddable(project, abs_paths[i], &skipped[i]));
    rels.push_back(rel);
  }
  HashCache cache = HashCache::LoadFor(project);
  std::vector<AddedData> out;
  // Open (its shared lock held) until the pointers below are in place: gc takes the lock
  // exclusively before it lists the roots, so it sees none of this add or all of its pointers.
  std::unique_ptr<store::LocalStore> st;
  {
    TRAIL_ASSIGN_OR_RETURN(st, store::LocalStore::OpenForWriting(project.store_dir()));
    uint64_t total_files = 0, total_bytes = 0;
    if (progress) {
      for (const std::string& rel : rels) CountFiles(JoinPath(project.root(), rel), total_files, total_bytes);
    }
    ProgressPhase phase(progress, "Adding data", "files", total_files, total_bytes);
    for (size_t i = 0; i < rels.size(); ++i) {
      const std::string& rel = rels[i];
      AddedData a;
      a.path = rel;
      a.skipped = std::move(skipped[i]);
      TRAIL_ASSIGN_OR_RETURN(a.pointer, StorePath(*st, JoinPath(project.root(), rel), &cache, rel, progress));
      out.push_back(a);
    }
    // Content first, durable, then the pointers: a crash in between leaves stored content
    // that the next add finds already there.
    TRAIL_RETURN_IF_ERROR(st->Flush());
  }
  // Pointer files and .gitignore lines: one writer at a time.
  Env& env = project.env();
  TRAIL_RETURN_IF_ERROR(env.MakeDirs(project.state_dir()));
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, env.Lock(JoinPath(project.state_dir(), "data.lock"), LockMode::kExclusive));
  for (AddedData& a : out) {
    const std::string pointer_path = JoinPath(project.root(), a.path + std::string(kPointerSuffix));
    if (env.Exists(pointer_path)) {
      auto old = ReadPointer(pointer_path, env);
      a.unchanged = old.ok() && *old == a.pointer;
    }
    if (!a.unchanged) TRAIL_RETURN_IF_ERROR(WriteFileAtomic(env, pointer_path, PointerToYaml(a.pointer)));
    TRAIL_RETURN_IF_ERROR(GitIgnore(project, a.path));
  }
  (void)cache.Save();  // a cache: failing to save it costs a rehash later, nothing more
  return out;
}

namespace {

// Removes the temp files a killed checkout or add left beside tracked data or inside a tracked
// folder: those whose writer is dead (a live one's are still being written). Best effort: one
// that cannot be removed stays, ignored by Git, until the next try.
void RemoveDeadWritersTemps(const Project& project, const std::vector<TrackedData>& data) {
  std::set<std::string> dirs;
  for (const TrackedData& d : data) {
    const std::string full = JoinPath(project.root(), d.path);
    dirs.insert(full.substr(0, full.find_last_of('/')));
    if (!d.recorded.folder || !IsDirectory(full)) continue;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(full, ec), end; !ec && it != end; it.increment(ec)) {
      if (IsDeadWritersTemp(it->path().filename().string())) fs::remove(it->path(), ec);
    }
  }
  for (const std::string& dir : dirs) {
    for (const std::string& name : ListDirectory(dir)) {
      if (IsDeadWritersTemp(name)) ::unlink(JoinPath(dir, name).c_str());
    }
  }
}

// Fills in each pointer's state and whether the store has its content.
Status Classify(const Project& project, const store::LocalStore& st, HashCache& cache, std::vector<TrackedData>& data) {
  for (TrackedData& d : data) {
    if (d.state == DataState::kBroken) continue;
    const std::string full = JoinPath(project.root(), d.path);
    // All of it, not just its top object: a pack may be lost while the manifest is not.
    const Status stored = CheckStoredContent(st, d.recorded);
    d.in_store = stored.code() != Code::kNotFound;
    if (d.in_store && !stored.ok()) {
      d.state = DataState::kBroken;
      d.problem = d.pointer_path + ": " + stored.message();
      continue;
    }
    if (!PathExists(full)) {
      d.state = DataState::kMissing;
      continue;
    }
    auto now = PointerOf(full, cache, d.path);
    if (!now.ok()) return now.status();
    d.state =
        (now->oid == d.recorded.oid && now->folder == d.recorded.folder) ? DataState::kClean : DataState::kModified;
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<TrackedData>> DataStatus(Project& project, const std::vector<std::string>& abs_paths) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<TrackedData> data, Resolve(project, abs_paths));
  RemoveDeadWritersTemps(project, data);
  HashCache cache = HashCache::LoadFor(project);
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st, store::LocalStore::Open(project.store_dir()));
  TRAIL_RETURN_IF_ERROR(Classify(project, *st, cache, data));
  (void)cache.Save();
  return data;
}

StatusOr<std::vector<CheckedOut>> CheckoutData(Project& project, const std::vector<std::string>& abs_paths, bool force,
                                               ProgressSink* progress) {
  // One store open and one hash cache for the comparison and the restore alike: opening the
  // store reads every pack index.
  TRAIL_ASSIGN_OR_RETURN(std::vector<TrackedData> data, Resolve(project, abs_paths));
  RemoveDeadWritersTemps(project, data);
  HashCache cache = HashCache::LoadFor(project);
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st, store::LocalStore::Open(project.store_dir()));
  TRAIL_RETURN_IF_ERROR(Classify(project, *st, cache, data));
  std::vector<std::string> conflicts, absent;
  for (const TrackedData& d : data) {
    if (d.state == DataState::kClean || d.state == DataState::kBroken) continue;
    if (!d.in_store) absent.push_back(d.path);
    if (d.state == DataState::kModified && !force) conflicts.push_back(d.path);
  }
  if (!absent.empty()) {
    std::string list;
    for (const std::string& p : absent) list += (list.empty() ? "" : ", ") + p;
    return NotFound("not in the local store: " + list + " (trail pull fetches it from a remote)");
  }
  if (!conflicts.empty()) {
    std::string list;
    for (const std::string& p : conflicts) list += (list.empty() ? "" : ", ") + p;
    return FailedPrecondition("changes that are not stored would be lost: " + list +
                              " (trail add keeps them; --force discards them)");
  }
  // A committed symbolic link in the way (`ds/sub -> /elsewhere`) refuses the checkout before
  // anything is written.
  // A committed `.git.trail` would otherwise restore (and with --force prune) the repository's
  // own folder.
  for (const TrackedData& d : data) {
    TRAIL_RETURN_IF_ERROR(CheckRelativePath(d.path, "tracked data", /*outside_repo_dirs=*/true));
    if (d.state != DataState::kClean && d.state != DataState::kBroken)
      TRAIL_RETURN_IF_ERROR(CheckRestorable(*st, d.recorded, project.root(), d.path));
  }
  uint64_t total_files = 0, total_bytes = 0;
  for (const TrackedData& d : data) {
    if (d.state == DataState::kClean || d.state == DataState::kBroken) continue;
    total_files += d.recorded.folder ? d.recorded.files : 1;
    total_bytes += d.recorded.size;
  }
  ProgressPhase phase(total_files ? progress : nullptr, "Checking out data", "files", total_files, total_bytes);
  std::vector<CheckedOut> out;
  for (const TrackedData& d : data) {
    CheckedOut c{d.path, d.state != DataState::kClean && d.state != DataState::kBroken, d.problem};
    if (c.restored) {
      const std::string full = JoinPath(project.root(), d.path);
      if (d.recorded.folder != IsDirectory(full) && PathExists(full)) TRAIL_RETURN_IF_ERROR(RemoveAll(full));
      TRAIL_RETURN_IF_ERROR(RestorePointer(*st, d.recorded, project.root(), d.path, &cache, d.path, progress));
      if (d.recorded.folder) {
        // Files the pointer does not have were changes; --force (or a clean state) means drop them.
        TRAIL_ASSIGN_OR_RETURN(store::TreeManifest tree, store::LoadTree(*st, d.recorded.oid));
        std::set<std::string> keep;
        for (const auto& e : tree.entries) keep.insert(e.path);
        TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> files, ListFilesUnder(full, nullptr));
        for (const std::string& f : files) {
          if (!keep.count(f)) TRAIL_RETURN_IF_ERROR(RemoveAll(JoinPath(full, f)));
        }
      }
    }
    out.push_back(c);
  }
  (void)cache.Save();
  return out;
}

}  // namespace trail
