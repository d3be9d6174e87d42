#include "git/git_command.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace trail::git {

StatusOr<GitCommandResult> RunGitCommand(const std::string& workdir, const std::vector<std::string>& args) {
  std::vector<std::string> argv_strings = {"git", "-C", workdir};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return IoError(std::string("cannot create a pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  pid_t pid = -1;
  // Git's messages untranslated, so callers can recognize them.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "LC_ALL=", 7) != 0 && std::strncmp(*e, "LANGUAGE=", 9) != 0) env_strings.emplace_back(*e);
  env_strings.emplace_back("LC_ALL=C");
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int rc = ::posix_spawnp(&pid, "git", &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    return FailedPrecondition(std::string("cannot run git: ") + std::strerror(rc));
  }

  GitCommandResult result;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
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
