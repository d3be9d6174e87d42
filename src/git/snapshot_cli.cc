// Fallback code snapshot through the git command line.
//
// libgit2 1.5 refuses indexes with the split-index ("link") or sparse-index
// ("sdir") extensions. Git itself reads them, so for those repositories the
// snapshot is made the way a careful script would: copy the index to a
// temporary file inside the git dir, `git add -A` into the copy, write its
// tree and commit it. The user's index file is never opened for writing.
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "git/repo.h"
#include "process/program.h"

namespace trail::git {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `git` with the temporary index and the author, in the work tree. Each Capture runs it with argv
// (no shell); `shown` is the shell line that command once was, kept only because error messages
// (and so the records that hold them as warnings) name a failed step by its beginning.
struct GitCli {
  process::Program program;
  std::string shown;
};

// Runs git with `args`, stderr discarded; its stdout (trailing newlines removed) or an error.
StatusOr<std::string> Capture(const GitCli& git, const std::vector<std::string>& args) {
  process::Program run = git.program;
  run.argv.insert(run.argv.end(), args.begin(), args.end());
  auto ran = process::RunProgram(run);
  if (!ran.ok() || ran->exit_code != 0) {
    return Internal("git failed: " + git.shown.substr(0, git.shown.find(' ', git.shown.find("git "))));
  }
  std::string out = std::move(ran->out);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The untracked, not ignored files that match `secret_files`, sorted (git's order).
StatusOr<std::vector<std::string>> UntrackedSecrets(const GitCli& git, const std::vector<std::string>& secret_files) {
  TRAIL_ASSIGN_OR_RETURN(std::string listing, Capture(git, {"ls-files", "-z", "--others", "--exclude-standard"}));
  std::vector<std::string> out;
  for (size_t p = 0; p < listing.size();) {
    size_t e = listing.find('\0', p);
    if (e == std::string::npos) e = listing.size();
    std::string path = listing.substr(p, e - p);
    if (!path.empty() && MatchesFilePattern(path, secret_files)) out.push_back(std::move(path));
    p = e + 1;
  }
  return out;
}

}  // namespace

StatusOr<Snapshot> Repo::SnapshotWorktreeWithGitCli(const SnapshotOptions& opts, const std::string& message,
                                                    const Identity& who) {
  std::string tmp_index = gitdir() + "/trail-snapshot-index-" + std::to_string(::getpid());
  std::error_code ec;
  std::filesystem::copy_file(gitdir() + "/index", tmp_index, std::filesystem::copy_options::overwrite_existing, ec);
  struct Cleanup {
    std::string path;
    ~Cleanup() { ::unlink(path.c_str()); }
  } cleanup{tmp_index};
  std::string name = who.name.empty() ? "trail" : who.name;
  std::string email = who.email.empty() ? "trail@localhost" : who.email;
  GitCli git;
  git.program.argv = {"git", "-c", "core.splitIndex=false"};
  git.program.search_path = true;
  git.program.cwd = workdir();
  const std::vector<std::string> settings = {"GIT_INDEX_FILE=" + tmp_index, "GIT_AUTHOR_NAME=" + name,
                                             "GIT_AUTHOR_EMAIL=" + email, "GIT_COMMITTER_NAME=" + name,
                                             "GIT_COMMITTER_EMAIL=" + email};
  git.program.env = process::CurrentEnvironmentWithout(
      {"GIT_INDEX_FILE=", "GIT_AUTHOR_NAME=", "GIT_AUTHOR_EMAIL=", "GIT_COMMITTER_NAME=", "GIT_COMMITTER_EMAIL="});
  git.program.env->insert(git.program.env->end(), settings.begin(), settings.end());
  git.program.out = process::Stream::kCapture;
  git.program.err = process::Stream::kNull;
  git.shown = "cd " + Quote(workdir()) + " && GIT_INDEX_FILE=" + Quote(tmp_index) + " GIT_AUTHOR_NAME=" + Quote(name) +
              " GIT_AUTHOR_EMAIL=" + Quote(email) + " GIT_COMMITTER_NAME=" + Quote(name) +
              " GIT_COMMITTER_EMAIL=" + Quote(email) + " git -c core.splitIndex=false ";
  Snapshot snap;
  TRAIL_ASSIGN_OR_RETURN(snap.excluded, UntrackedSecrets(git, opts.secret_files));
  TRAIL_RETURN_IF_ERROR(Capture(git, {"add", "-A", "."}).status());
  // Take the secrets back out of the temporary index only: they were untracked.
  for (const std::string& path : snap.excluded) {
    TRAIL_RETURN_IF_ERROR(
        Capture(git, {"rm", "-q", "--cached", "--ignore-unmatch", "--", ":(literal)" + path}).status());
  }
  TRAIL_ASSIGN_OR_RETURN(snap.tree, Capture(git, {"write-tree"}));
  auto head = Capture(git, {"rev-parse", "--verify", "-q", "HEAD"});
  std::vector<std::string> commit_tree = {"commit-tree", snap.tree};
  if (head.ok()) commit_tree.insert(commit_tree.end(), {"-p", *head});
  commit_tree.insert(commit_tree.end(), {"-m", message});
  TRAIL_ASSIGN_OR_RETURN(snap.commit, Capture(git, commit_tree));
  if (head.ok()) {
    TRAIL_ASSIGN_OR_RETURN(std::string changed, Capture(git, {"diff-tree", "-r", "--name-only", *head, snap.tree}));
    for (size_t p = 0; p < changed.size();) {
      size_t e = changed.find('\n', p);
      if (e == std::string::npos) e = changed.size();
      if (e > p) snap.changed.push_back(changed.substr(p, e - p));
      p = e + 1;
    }
  }
  snap.dirty = !head.ok() ? true : !snap.changed.empty() || !snap.excluded.empty();
  return snap;
}

}  // namespace trail::git
