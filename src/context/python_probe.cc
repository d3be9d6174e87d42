#include "context/python_probe.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <vector>

#include "context/text_files.h"

namespace trail::context {
namespace {

long long NowMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Waits for `pid`; kills it first when `kill_first`.
int Reap(pid_t pid, bool kill_first) {
  if (kill_first) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

std::optional<ProbeResult> ProbePython(const std::string& interpreter, const std::map<std::string, std::string>& env,
                                       int timeout_ms, std::string* error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = "pipe: " + ErrnoMessage(errno);
    return std::nullopt;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);

  std::vector<std::string> args = {interpreter, "-S", "-c",
                                   "import sys; print(sys.version.split()[0]); print(sys.executable)"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, interpreter.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    *error = "cannot run " + interpreter + ": " + std::strerror(rc);
    return std::nullopt;
  }

  std::string out;
  long long deadline = NowMs() + timeout_ms;
  bool timed_out = false;
  for (;;) {
    long long left = deadline - NowMs();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p = {fds[0], POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      timed_out = true;
      break;
    }
    char buf[4096];
    ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (out.size() < 65536) out.append(buf, static_cast<size_t>(got));
  }
  ::close(fds[0]);
  int status = Reap(pid, timed_out);
  if (timed_out) {
    *error = interpreter + " did not answer within " + std::to_string(timeout_ms) + " ms";
    return std::nullopt;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    *error = interpreter + " failed to report its version";
    return std::nullopt;
  }
  std::vector<std::string> lines;
  ForEachLine(out, [&](std::string_view line) { lines.emplace_back(Trim(line)); });
  if (lines.empty() || lines[0].empty() || !std::isdigit(static_cast<unsigned char>(lines[0][0]))) {
    *error = interpreter + " printed no version";
    return std::nullopt;
  }
  ProbeResult result;
  result.version = lines[0];
  if (lines.size() > 1) result.executable = lines[1];
  return result;
}

}  // namespace trail::context
