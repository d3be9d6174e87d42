#include "reproduce/apply_run.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "base/files.h"
#include "base/paths.h"
#include "base/safe_path.h"
#include "process/program.h"
#include "record/record.h"
#include "store/local_store.h"
#include "tracked/hash_cache.h"
#include "tracked/pointer.h"
#include "tracked/stored_paths.h"
#include "tracked/tracked_data.h"

namespace trail::reproduce {
namespace {

// Runs `git ARGS...` in `root`, its messages in English so that they read the same everywhere.
// A non-zero exit is a result, not an error.
StatusOr<process::ProgramOutput> Git(const std::string& root, std::vector<std::string> args) {
  process::Program p;
  p.argv = {"git", "-C", root};
  p.argv.insert(p.argv.end(), args.begin(), args.end());
  p.search_path = true;
  p.env = process::CurrentEnvironmentWithout({"LC_ALL=", "LANGUAGE="});
  p.env->push_back("LC_ALL=C");
  p.out = process::Stream::kCapture;
  p.err = process::Stream::kCapture;
  return process::RunProgram(p);
}

// The first line of what git said on failure, for a one-line error.
std::string GitSaid(const process::ProgramOutput& out) {
  std::string text = out.err.empty() ? out.out : out.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Status GitFailed(const std::string& what, const process::ProgramOutput& out) {
  return IoError(what + " failed: " + GitSaid(out));
}

// A path from a Git tree (it may come from another clone through `trail pull`): relative, no "..",
// no ".git" part. Git refuses such trees too; this keeps our own reads below the root.
Status CheckTreePath(const std::string& path, const std::string& what) {
  TRAIL_RETURN_IF_ERROR(CheckRelativePath(path, what));
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    std::transform(part.begin(), part.end(), part.begin(), [](unsigned char c) { return std::tolower(c); });
    if (part == ".git") return Corrupt(what + " \"" + path + "\" is inside .git");
    start = end + 1;
  }
  return Status::Ok();
}

// Every file of `commit`'s tree (`git ls-tree -r -z`).
StatusOr<TreeFiles> ListTree(const std::string& root, const std::string& commit, const std::string& what) {
  TRAIL_ASSIGN_OR_RETURN(process::ProgramOutput out, Git(root, {"ls-tree", "-r", "-z", "--full-tree", commit}));
  if (out.exit_code != 0) return GitFailed("listing " + what, out);
  TreeFiles files;
  size_t start = 0;
  while (start < out.out.size()) {
    size_t end = out.out.find('\0', start);
    if (end == std::string::npos) end = out.out.size();
    const std::string line = out.out.substr(start, end - start);
    start = end + 1;
    // "<mode> <type> <oid>\t<path>"
    const size_t tab = line.find('\t');
    const size_t sp1 = line.find(' ');
    const size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
    if (tab == std::string::npos || sp2 == std::string::npos || sp2 > tab)
      return Corrupt("cannot read the tree of " + what + ": \"" + line + "\"");
    const std::string path = line.substr(tab + 1);
    TRAIL_RETURN_IF_ERROR(CheckTreePath(path, what + ": path"));
    files[path] = TreeFile{line.substr(0, sp1), line.substr(sp2 + 1, tab - sp2 - 1)};
  }
  return files;
}

// The user's uncommitted work as `git status` sees it: path -> "modified", "staged" or
// "untracked" (ignored files are not listed).
StatusOr<std::map<std::string, std::string>> UserWork(const std::string& root) {
  TRAIL_ASSIGN_OR_RETURN(process::ProgramOutput out, Git(root, {"status", "--porcelain=v1", "-z", "--no-renames",
                                                                "--untracked-files=all", "--ignore-submodules=all"}));
  if (out.exit_code != 0) return GitFailed("git status", out);
  std::map<std::string, std::string> work;
  size_t start = 0;
  while (start < out.out.size()) {
    size_t end = out.out.find('\0', start);
    if (end == std::string::npos) end = out.out.size();
    const std::string entry = out.out.substr(start, end - start);
    start = end + 1;
    if (entry.size() < 4) continue;
    const char x = entry[0], y = entry[1];
    work[entry.substr(3)] = x == '?' ? "untracked" : (y != ' ' ? "modified" : "staged");
  }
  return work;
}

bool IsLinkMode(const std::string& mode) { return mode == "120000"; }
bool IsFileMode(const std::string& mode) { return mode == "100644" || mode == "100755"; }

// What is at `root`/`path`, compared with the snapshot's blob `want`. Never follows a link.
WorkFile Probe(git::Repo& repo, const std::string& root, const std::string& path, const TreeFile* want) {
  using State = WorkFile::State;
  struct stat st;
  // Each folder on the way must be a real folder: a link or a file there blocks the path.
  for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    const std::string part = path.substr(0, slash);
    if (lstat(JoinPath(root, part).c_str(), &st) != 0) return {State::kAbsent, ""};
    if (S_ISLNK(st.st_mode)) return {State::kBlocked, part + " is a symbolic link"};
    if (!S_ISDIR(st.st_mode)) return {State::kBlocked, part + " is a file, not a folder"};
  }
  const std::string full = JoinPath(root, path);
  if (lstat(full.c_str(), &st) != 0) return {State::kAbsent, ""};
  if (S_ISDIR(st.st_mode)) return {State::kBlocked, "a folder is there"};
  if (want == nullptr) return {State::kDiffers, ""};
  auto blob = repo.ReadBlob(want->oid);
  if (!blob.ok()) return {State::kDiffers, ""};
  if (S_ISLNK(st.st_mode)) {
    if (!IsLinkMode(want->mode)) return {State::kDiffers, ""};
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    const ssize_t n = readlink(full.c_str(), target.data(), target.size());
    if (n < 0) return {State::kDiffers, ""};
    target.resize(static_cast<size_t>(n));
    return {target == *blob ? State::kMatches : State::kDiffers, ""};
  }
  if (!S_ISREG(st.st_mode)) return {State::kBlocked, "not a regular file"};
  if (!IsFileMode(want->mode) || static_cast<uint64_t>(st.st_size) != blob->size()) return {State::kDiffers, ""};
  auto bytes = ReadFile(full);
  return {bytes.ok() && *bytes == *blob ? State::kMatches : State::kDiffers, ""};
}

// Whether the file at `path` holds content the local store has (so replacing it loses nothing).
bool ContentInStore(const store::LocalStore& st, const std::string& path) {
  struct stat s;
  if (lstat(path.c_str(), &s) != 0 || !S_ISREG(s.st_mode)) return false;
  auto oid = HashFile(path);
  if (!oid.ok()) return false;
  Pointer p;
  p.oid = *oid;
  p.size = static_cast<uint64_t>(s.st_size);
  return CheckStoredContent(st, p).ok();
}

// A data file tracked by a pointer file of the snapshot: where it goes and what it should hold.
struct PointedData {
  std::string path;  // the data, relative to the root
  Pointer pointer;
  // A file is there whose bytes the store holds: checkout may replace it (CheckoutData refuses
  // any change to a pointer's data without force, stored or not).
  bool replaceable = false;
};

// The snapshot's pointer files (`X.trail`, outside .trail/). A pointer that does not parse or
// names an unsafe path is a warning: its data is not checked out.
std::vector<PointedData> PointersIn(git::Repo& repo, const TreeFiles& snapshot, std::vector<std::string>& warnings) {
  std::vector<PointedData> out;
  for (const auto& [path, file] : snapshot) {
    if (path.size() <= kPointerSuffix.size() || !path.ends_with(kPointerSuffix) || path.starts_with(".trail/") ||
        !IsFileMode(file.mode))
      continue;
    const std::string data = path.substr(0, path.size() - kPointerSuffix.size());
    if (const std::string why = UnsafePathReason(data, /*outside_repo_dirs=*/true); !why.empty()) {
      warnings.push_back(path + ": names an unsafe data path (" + why + "); not checked out");
      continue;
    }
    auto text = repo.ReadBlob(file.oid);
    if (!text.ok()) continue;
    auto pointer = ParsePointer(*text, path);
    if (!pointer.ok()) continue;  // not one of ours: a file that merely ends in .trail
    out.push_back({data, *pointer});
  }
  return out;
}

std::string ConflictList(const std::string& first_line, const std::vector<Conflict>& conflicts) {
  std::string text = first_line;
  for (const Conflict& c : conflicts) text += "\n  " + c.path + " (" + c.why + ")";
  return text;
}

}  // namespace

ApplyPlan PlanApply(const TreeFiles& head, const TreeFiles& snapshot,
                    const std::map<std::string, std::string>& user_work, const WorkProbe& probe) {
  using State = WorkFile::State;
  std::set<std::string> paths;
  for (const auto& [p, f] : head) paths.insert(p);
  for (const auto& [p, f] : snapshot) paths.insert(p);
  for (const auto& [p, w] : user_work) paths.insert(p);
  ApplyPlan plan;
  for (const std::string& p : paths) {
    const auto h = head.find(p), s = snapshot.find(p);
    const TreeFile* in_head = h == head.end() ? nullptr : &h->second;
    const TreeFile* in_snap = s == snapshot.end() ? nullptr : &s->second;
    const auto w = user_work.find(p);
    const bool work = w != user_work.end();
    if (!in_head && !in_snap) continue;  // untracked, and the run never knew it
    // Submodules are another repository's business.
    if ((in_head && in_head->mode == "160000") || (in_snap && in_snap->mode == "160000")) continue;
    if (!work && in_head && in_snap && *in_head == *in_snap) continue;  // the same everywhere
    const WorkFile now = probe(p, in_snap);
    if (now.state == State::kMatches || (!in_snap && now.state == State::kAbsent)) continue;
    if (now.state == State::kBlocked) {
      plan.conflicts.push_back({p, now.why});
    } else if (work) {
      plan.conflicts.push_back({p, w->second});
    } else if (!in_head && now.state != State::kAbsent) {
      // Not tracked and not listed as untracked: an ignored file the snapshot would overwrite.
      plan.conflicts.push_back({p, "ignored"});
    } else if (in_snap) {
      (in_head ? plan.changed : plan.added).push_back(p);
    } else {
      plan.deleted.push_back(p);
    }
  }
  return plan;
}

StatusOr<ApplyOutcome> ApplyRun(Project& project, const std::string& run, const ApplyOptions& options) {
  TRAIL_ASSIGN_OR_RETURN(StoredRun stored, project.LoadRun(run));
  const Json& rec = stored.record;
  ApplyOutcome result;
  result.id = record::GetString(rec, "id");
  const std::string& id = result.id;
  const Json code = rec.value("code", Json::object());
  result.snapshot = code.is_object() ? record::GetString(code, "snapshot") : "";
  const std::string& snap = result.snapshot;
  if (snap.empty()) return FailedPrecondition(id + " has no code snapshot: there is nothing to apply");
  if (snap.size() != 40 || snap.find_first_not_of("0123456789abcdef") != std::string::npos)
    return Corrupt(id + ": the record's code snapshot \"" + snap + "\" is not a commit id");
  const std::string root = project.root();
  git::Repo& repo = project.repo();

  TRAIL_ASSIGN_OR_RETURN(git::HeadInfo head, repo.Head());
  if (head.branch == project.branch())
    return FailedPrecondition("the runs branch " + project.branch() +
                              " is checked out; switch to your code branch before applying a run");
  {
    TRAIL_ASSIGN_OR_RETURN(process::ProgramOutput out, Git(root, {"cat-file", "-e", snap + "^{commit}"}));
    if (out.exit_code != 0)
      return FailedPrecondition("the code snapshot " + snap.substr(0, 12) + " of " + id +
                                " is not in this clone; run `trail pull` to fetch it");
  }
  if (!options.branch.empty()) {
    TRAIL_ASSIGN_OR_RETURN(process::ProgramOutput out, Git(root, {"check-ref-format", "--branch", options.branch}));
    if (out.exit_code != 0 || options.branch[0] == '-')
      return InvalidArgument("\"" + options.branch + "\" is not a valid branch name");
    TRAIL_ASSIGN_OR_RETURN(out, Git(root, {"rev-parse", "--verify", "--quiet", "refs/heads/" + options.branch}));
    if (out.exit_code == 0) return AlreadyExists("a branch named " + options.branch + " already exists");
  }

  // Everything is decided before the first write: the record's data paths (untrusted), the
  // snapshot's tree, the user's work in the way.
  DataRestoreOptions dry;
  dry.dry_run = true;
  TRAIL_ASSIGN_OR_RETURN(std::vector<DataInputRestore> data_plan, RestoreDataInputs(project, rec, root, dry));
  TRAIL_ASSIGN_OR_RETURN(TreeFiles snapshot, ListTree(root, snap, id + "'s code snapshot"));
  TreeFiles head_files;
  if (!head.unborn) {
    TRAIL_ASSIGN_OR_RETURN(head_files, ListTree(root, head.commit, "HEAD"));
  }
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st, store::LocalStore::Open(project.store_dir()));

  // Data in the way: what is there already is fine when the store holds it (nothing is lost by
  // replacing it); other bytes are the user's and are refused even with --stash, which does not
  // stash ignored files.
  std::vector<Conflict> data_conflicts;
  bool replace_data = false;
  for (const DataInputRestore& d : data_plan) {
    if (d.state != DataInputRestore::State::kConflict || snapshot.count(d.path)) continue;
    if (!d.folder && ContentInStore(*st, JoinPath(root, d.path))) {
      replace_data = true;
    } else {
      data_conflicts.push_back({d.path, "data the store does not hold; `trail add` it or move it away"});
    }
  }
  std::vector<PointedData> pointed = PointersIn(repo, snapshot, result.warnings);
  for (PointedData& d : pointed) {
    const std::string full = JoinPath(root, d.path);
    struct stat s;
    if (lstat(full.c_str(), &s) != 0 || S_ISDIR(s.st_mode)) continue;  // a folder: checkout refuses changes itself
    if (!S_ISREG(s.st_mode)) {
      data_conflicts.push_back({d.path, "not a regular file"});
      continue;
    }
    auto have = HashFile(full);
    if (have.ok() && *have == d.pointer.oid) continue;
    d.replaceable = ContentInStore(*st, full);
    if (!d.replaceable)
      data_conflicts.push_back({d.path, "data the store does not hold; `trail add` it or move it away"});
  }
  if (!data_conflicts.empty())
    return FailedPrecondition(ConflictList(
        "applying " + id + " would overwrite data that exists nowhere else; nothing was changed:", data_conflicts));

  const auto plan_files = [&]() -> StatusOr<ApplyPlan> {
    TRAIL_ASSIGN_OR_RETURN(auto work, UserWork(root));
    return PlanApply(head_files, snapshot, work,
                     [&](const std::string& p, const TreeFile* want) { return Probe(repo, root, p, want); });
  };
  TRAIL_ASSIGN_OR_RETURN(ApplyPlan plan, plan_files());
  if (options.branch.empty() && !plan.conflicts.empty()) {
    std::vector<Conflict> not_stashable;
    for (const Conflict& c : plan.conflicts) {
      if (c.why != "modified" && c.why != "staged" && c.why != "untracked") not_stashable.push_back(c);
    }
    if (!options.stash || !not_stashable.empty()) {
      // With --stash, only what a stash cannot hold (ignored files, blocked paths) is in the way.
      const std::vector<Conflict>& in_the_way = options.stash ? not_stashable : plan.conflicts;
      const size_t n = in_the_way.size();
      return FailedPrecondition(ConflictList("applying " + id + " would overwrite your uncommitted work in " +
                                                 std::to_string(n) + " file" + (n == 1 ? "" : "s") +
                                                 (options.stash ? " that --stash cannot put aside (move them away)"
                                                                : " (commit it, or --stash it first)") +
                                                 "; nothing was changed:",
                                             in_the_way));
    }
  }

  if (options.stash) {
    TRAIL_ASSIGN_OR_RETURN(auto work, UserWork(root));
    if (!work.empty()) {
      result.stash_message = "trail apply " + id + ": your changes from before applying " + id;
      TRAIL_ASSIGN_OR_RETURN(process::ProgramOutput out,
                             Git(root, {"stash", "push", "--include-untracked", "-m", result.stash_message}));
      if (out.exit_code != 0) return GitFailed("git stash push", out);
      result.stashed = true;
      TRAIL_ASSIGN_OR_RETURN(plan, plan_files());
      if (options.branch.empty() && !plan.conflicts.empty())
        return FailedPrecondition(
            ConflictList("your changes were stashed (git stash pop brings them back), but these are still in the way:",
                         plan.conflicts));
    }
  }

  if (!options.branch.empty()) {
    TRAIL_ASSIGN_OR_RETURN(process::ProgramOutput out, Git(root, {"switch", "-c", options.branch, snap}));
    if (out.exit_code != 0)
      return FailedPrecondition("git refused to switch to a new branch " + options.branch + " at " + id +
                                "'s snapshot (--stash stashes your changes first): " + GitSaid(out));
    result.branch = options.branch;
    // What the switch changed, compared with the commit the user was on.
    plan = ApplyPlan{};
    for (const auto& [p, f] : snapshot) {
      const auto h = head_files.find(p);
      if (h == head_files.end()) {
        plan.added.push_back(p);
      } else if (!(h->second == f)) {
        plan.changed.push_back(p);
      }
    }
    for (const auto& [p, f] : head_files) {
      if (!snapshot.count(p)) plan.deleted.push_back(p);
    }
  } else {
    std::vector<std::string> paths = plan.changed;
    paths.insert(paths.end(), plan.added.begin(), plan.added.end());
    paths.insert(paths.end(), plan.deleted.begin(), plan.deleted.end());
    // `git restore --worktree` writes and deletes files without touching HEAD or the index; the
    // paths are literal and given in batches that fit an argument list.
    constexpr size_t kBatch = 500;
    for (size_t i = 0; i < paths.size(); i += kBatch) {
      std::vector<std::string> args = {"--literal-pathspecs", "restore", "--source=" + snap, "--worktree", "--"};
      args.insert(args.end(), paths.begin() + i, paths.begin() + std::min(paths.size(), i + kBatch));
      TRAIL_ASSIGN_OR_RETURN(process::ProgramOutput out, Git(root, args));
      if (out.exit_code != 0) return GitFailed("git restore", out);
    }
  }
  result.files = plan;

  DataRestoreOptions restore;
  restore.force = replace_data;
  TRAIL_ASSIGN_OR_RETURN(result.data, RestoreDataInputs(project, rec, root, restore));
  for (const DataInputRestore& d : result.data) {
    if (d.state == DataInputRestore::State::kMissing || d.state == DataInputRestore::State::kUrl)
      result.warnings.push_back(d.problem);
  }
  for (const PointedData& d : pointed) {
    auto done = CheckoutData(project, {JoinPath(root, d.path)}, /*force=*/d.replaceable);
    if (!done.ok()) {
      result.warnings.push_back(d.path + " (" + OidString(d.pointer.oid) +
                                ") not checked out: " + done.status().message());
      continue;
    }
    for (const CheckedOut& c : *done) {
      if (!c.problem.empty()) {
        result.warnings.push_back(c.problem);
      } else if (c.restored) {
        result.checked_out.push_back(c.path);
      }
    }
  }
  return result;
}

}  // namespace trail::reproduce
