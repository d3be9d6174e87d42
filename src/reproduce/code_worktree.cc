#include "reproduce/code_worktree.h"

#include <filesystem>
#include <system_error>

#include "base/paths.h"
#include "base/safe_path.h"
#include "git/git_command.h"
#include "recording/live_run.h"

namespace trail::reproduce {
namespace {

namespace fs = std::filesystem;

bool IsHex(const std::string& s) {
  if (s.size() != 40 && s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The first line of git's output, for an error message.
std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "no output" : line;
}

Status RemoveOldWorktree(Project& project, const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(dir, ec))) {
    (void)git::RunGitCommand(project.root(), {"worktree", "prune"});
    return Status::Ok();
  }
  // A reproduction may still be recording there (its live run lives in the worktree's .trail/):
  // runs whose recorder died are recorded as crashed first, and a live one keeps the folder.
  if (fs::exists(JoinPath(dir, ".trail/live"), ec)) {
    auto there = Project::Open(dir);
    if (!there.ok())
      return FailedPrecondition("the previous reproduction in " + dir + " cannot be opened (" +
                                there.status().message() + "); remove that folder to reproduce again");
    std::vector<std::string> warnings;
    RecoverAbandonedRuns(**there, &warnings);
    std::vector<Json> live = ListLiveRuns(**there);
    if (!live.empty())
      return FailedPrecondition("a reproduction is still running in " + dir + " (" + live[0].value("id", "?") +
                                "); wait for it, or give --dir another folder");
  }
  // Ours: a worktree of this repository (or what is left of one). git forgets it, then the folder goes.
  (void)git::RunGitCommand(project.root(), {"worktree", "remove", "--force", "--force", dir});
  fs::remove_all(dir, ec);
  if (ec) return IoError("cannot remove the previous reproduction " + dir + ": " + ec.message());
  (void)git::RunGitCommand(project.root(), {"worktree", "prune"});
  return Status::Ok();
}

}  // namespace

std::string DefaultWorktreeDir(Project& project, const std::string& id) {
  return JoinPath(project.shared_dir(), "reproduce/" + id);
}

StatusOr<std::string> SnapshotCommit(Project& project, const Json& record) {
  std::string id = record.value("id", "");
  std::string snapshot;
  if (record.contains("code") && record["code"].is_object() && record["code"].contains("snapshot") &&
      record["code"]["snapshot"].is_string())
    snapshot = record["code"]["snapshot"].get<std::string>();
  if (!snapshot.empty() && !IsHex(snapshot))
    return Corrupt(id + ": code.snapshot \"" + snapshot + "\" is not a commit id");
  std::string what = snapshot.empty() ? "refs/trail/code/" + id : snapshot;
  auto rev = git::RunGitCommand(project.root(), {"rev-parse", "--verify", "-q", what + "^{commit}"});
  if (!rev.ok()) return rev.status();
  if (rev->exit_code != 0) {
    if (snapshot.empty())
      return FailedPrecondition(id + " was recorded without a code snapshot: its code cannot be brought back");
    return FailedPrecondition(id + ": its code snapshot " + snapshot.substr(0, 12) +
                              " is not in this repository (trail pull fetches refs/trail/code/*)");
  }
  std::string commit = rev->output.substr(0, rev->output.find('\n'));
  if (!IsHex(commit)) return Internal("git rev-parse " + what + ": unexpected output " + FirstLine(rev->output));
  return commit;
}

StatusOr<std::string> AddSnapshotWorktree(Project& project, const std::string& id, const std::string& snapshot,
                                          const std::string& dir) {
  TRAIL_RETURN_IF_ERROR(CheckPathName(id, "run id"));
  std::string target;
  std::error_code ec;
  if (dir.empty()) {
    target = DefaultWorktreeDir(project, id);
    TRAIL_RETURN_IF_ERROR(RemoveOldWorktree(project, target));
    fs::create_directories(fs::path(target).parent_path(), ec);
    if (ec) return IoError("cannot create " + fs::path(target).parent_path().string() + ": " + ec.message());
  } else {
    target = fs::absolute(dir).lexically_normal().string();
    while (target.size() > 1 && target.back() == '/') target.pop_back();
    auto st = fs::symlink_status(target, ec);
    if (fs::exists(st)) {
      if (!fs::is_directory(st) || !fs::is_empty(target, ec))
        return FailedPrecondition("--dir " + dir + ": exists and is not an empty folder");
    }
  }
  auto added = git::RunGitCommand(project.root(), {"worktree", "add", "--detach", target, snapshot});
  if (!added.ok()) return added.status();
  if (added->exit_code != 0) return FailedPrecondition("git worktree add " + target + ": " + FirstLine(added->output));
  // The snapshot normally holds the project's config; a run recorded before it was committed may not.
  std::string config = JoinPath(target, ".trail/config.yaml");
  if (!fs::exists(fs::symlink_status(config, ec))) {
    fs::path trail_dir = fs::path(target) / ".trail";
    if (fs::is_symlink(fs::symlink_status(trail_dir, ec)))
      return FailedPrecondition(id + ": the snapshot's .trail is a symbolic link");
    fs::create_directories(trail_dir, ec);
    fs::copy_file(JoinPath(project.root(), ".trail/config.yaml"), config, ec);
    if (ec) return IoError("cannot copy the project's .trail/config.yaml into " + target + ": " + ec.message());
  }
  return target;
}

}  // namespace trail::reproduce
