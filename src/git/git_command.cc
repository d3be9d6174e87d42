#include "git/git_command.h"

#include <utility>

#include "process/program.h"

namespace trail::git {

StatusOr<GitCommandResult> RunGitCommand(const std::string& workdir, const std::vector<std::string>& args) {
  process::Program git;
  git.argv = {"git", "-C", workdir};
  git.argv.insert(git.argv.end(), args.begin(), args.end());
  git.search_path = true;
  // Git's messages untranslated, so callers can recognize them.
  git.env = process::CurrentEnvironmentWithout({"LC_ALL=", "LANGUAGE="});
  git.env->push_back("LC_ALL=C");
  git.out = process::Stream::kCapture;
  git.err = process::Stream::kIntoStdout;
  auto ran = process::RunProgram(git);
  if (!ran.ok()) {
    // No git to run is for the user to fix (install it), not a failed read or write.
    if (ran.status().message().rfind("cannot run ", 0) == 0) return FailedPrecondition(ran.status().message());
    return ran.status();
  }
  GitCommandResult result;
  result.output = std::move(ran->out);
  result.exit_code = ran->signal != 0 ? 128 + ran->signal : ran->exit_code;
  return result;
}

StatusOr<std::vector<std::string>> GitRemoteNames(const std::string& workdir) {
  TRAIL_ASSIGN_OR_RETURN(GitCommandResult r, RunGitCommand(workdir, {"remote"}));
  if (r.exit_code != 0) return Internal("git remote failed: " + r.output);
  std::vector<std::string> names;
  size_t start = 0;
  while (start < r.output.size()) {
    size_t nl = r.output.find('\n', start);
    if (nl == std::string::npos) nl = r.output.size();
    if (nl > start) names.push_back(r.output.substr(start, nl - start));
    start = nl + 1;
  }
  return names;
}

}  // namespace trail::git
