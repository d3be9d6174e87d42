// Fallback code snapshot through the git command line.
//
// libgit2 1.5 refuses indexes with the split-index ("link") or sparse-index
// ("sdir") extensions. Git itself reads them, so for those repositories the
// snapshot is made the way a careful script would: copy the index to a
// temporary file inside the git dir, `git add -A` into the copy, write its
// tree and commit it. The user's index file is never opened for writing.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "git/repo.h"

namespace trail::git {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command; its stdout (trailing newline removed) or an error.
StatusOr<std::string> Capture(const std::string& cmd) {
  FILE* pipe = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!pipe) return Internal("cannot run git");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int rc = ::pclose(pipe);
  if (rc != 0) return Internal("git failed: " + cmd.substr(0, cmd.find(' ', cmd.find("git "))));
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The untracked, not ignored files that match `secret_files`, sorted (git's order).
StatusOr<std::vector<std::string>> UntrackedSecrets(const std::string& git,
                                                    const std::vector<std::string>& secret_files) {
  TRAIL_ASSIGN_OR_RETURN(std::string listing, Capture(git + "ls-files -z --others --exclude-standard"));
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
  std::string git = "cd " + Quote(workdir()) + " && GIT_INDEX_FILE=" + Quote(tmp_index) +
                    " GIT_AUTHOR_NAME=" + Quote(name) + " GIT_AUTHOR_EMAIL=" + Quote(email) +
                    " GIT_COMMITTER_NAME=" + Quote(name) + " GIT_COMMITTER_EMAIL=" + Quote(email) +
                    " git -c core.splitIndex=false ";
  Snapshot snap;
  TRAIL_ASSIGN_OR_RETURN(snap.excluded, UntrackedSecrets(git, opts.secret_files));
  TRAIL_ASSIGN_OR_RETURN(std::string added, Capture(git + "add -A ."));
  (void)added;
  // Take the secrets back out of the temporary index only: they were untracked.
  for (const std::string& path : snap.excluded) {
    TRAIL_ASSIGN_OR_RETURN(std::string removed,
                           Capture(git + "rm -q --cached --ignore-unmatch -- " + Quote(":(literal)" + path)));
    (void)removed;
  }
  TRAIL_ASSIGN_OR_RETURN(snap.tree, Capture(git + "write-tree"));
  auto head = Capture(git + "rev-parse --verify -q HEAD");
  std::string parent = head.ok() ? " -p " + *head : "";
  TRAIL_ASSIGN_OR_RETURN(snap.commit, Capture(git + "commit-tree " + snap.tree + parent + " -m " + Quote(message)));
  if (head.ok()) {
    TRAIL_ASSIGN_OR_RETURN(std::string changed, Capture(git + "diff-tree -r --name-only " + *head + " " + snap.tree));
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
