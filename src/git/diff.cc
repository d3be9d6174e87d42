// Human-readable diffs between the trees of two commits, as `git diff` prints
// them (used to show what changed between the code of two runs).
#include <string>

#include "git/git_util.h"
#include "git/repo.h"

namespace trail::git {

using internal::Buf;
using internal::DiffPtr;
using internal::DiffStatsPtr;
using internal::GitError;
using internal::LookupCommitTree;
using internal::TreePtr;

namespace {

// Width of the --stat graph, as git uses for a non-terminal.
constexpr size_t kStatWidth = 80;

StatusOr<DiffPtr> DiffCommits(git_repository* repo, const std::string& a_commit, const std::string& b_commit) {
  TRAIL_ASSIGN_OR_RETURN(TreePtr a, LookupCommitTree(repo, a_commit));
  TRAIL_ASSIGN_OR_RETURN(TreePtr b, LookupCommitTree(repo, b_commit));
  git_diff* raw = nullptr;
  int error = git_diff_tree_to_tree(&raw, repo, a.get(), b.get(), nullptr);
  if (error < 0) return GitError(error, "cannot diff " + a_commit + " and " + b_commit);
  DiffPtr diff(raw);
  // Renames, as `git diff` shows them by default (diff.renames).
  git_diff_find_options find;
  git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
  find.flags = GIT_DIFF_FIND_RENAMES;
  error = git_diff_find_similar(diff.get(), &find);
  if (error < 0) return GitError(error, "cannot detect renames");
  return diff;
}

}  // namespace

StatusOr<std::string> Repo::DiffStat(const std::string& a_commit, const std::string& b_commit) const {
  TRAIL_ASSIGN_OR_RETURN(DiffPtr diff, DiffCommits(repo_.get(), a_commit, b_commit));
  git_diff_stats* raw = nullptr;
  int error = git_diff_get_stats(&raw, diff.get());
  if (error < 0) return GitError(error, "cannot compute diff stats");
  DiffStatsPtr stats(raw);
  // A diff with no files would print a bare summary line; git prints nothing.
  if (git_diff_stats_files_changed(stats.get()) == 0) return std::string();
  Buf buf;
  error = git_diff_stats_to_buf(buf.get(), stats.get(), GIT_DIFF_STATS_FULL, kStatWidth);
  if (error < 0) return GitError(error, "cannot format diff stats");
  return buf.str();
}

StatusOr<std::string> Repo::DiffPatch(const std::string& a_commit, const std::string& b_commit) const {
  TRAIL_ASSIGN_OR_RETURN(DiffPtr diff, DiffCommits(repo_.get(), a_commit, b_commit));
  Buf buf;
  int error = git_diff_to_buf(buf.get(), diff.get(), GIT_DIFF_FORMAT_PATCH);
  if (error < 0) return GitError(error, "cannot format diff");
  return buf.str();
}

}  // namespace trail::git
