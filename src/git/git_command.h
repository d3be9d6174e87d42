// Running the `git` program itself, for what trail leaves to Git's own command line: moving refs
// to and from a Git remote, where the user's transports, credential helpers and ssh settings
// must apply exactly as they do for `git push`.
#pragma once

#include <string>
#include <vector>

#include "trail/status.h"

namespace trail::git {

struct GitCommandResult {
  int exit_code = 0;   // git's exit status; 128+N when it died of signal N
  std::string output;  // stdout and stderr together, as git wrote them
};

// Runs `git -C <workdir> ARGS...` with stdin from /dev/null, its output captured and in English
// (LC_ALL=C), so callers may recognize a message. The arguments go to git as they are (no
// shell), so refspecs such as "refs/trail/*" need no quoting. Fails only when git cannot be
// started; a non-zero exit is a result.
StatusOr<GitCommandResult> RunGitCommand(const std::string& workdir, const std::vector<std::string>& args);

// The repository's Git remotes (`git remote`), in git's order.
StatusOr<std::vector<std::string>> GitRemoteNames(const std::string& workdir);

}  // namespace trail::git
