#include "process/capture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "process/fd_io.h"
#include "process/unique_fd.h"
#include "base/numbers.h"

extern char** environ;

namespace trail::process {
namespace {

struct Pipe {
  UniqueFd read, write;
};

StatusOr<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("cannot create a pipe");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::string FirstLine(const std::string& s) {
  size_t start = s.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  size_t end = s.find_first_of("\r\n", start);
  return s.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

StatusOr<Captured> RunShellCapture(const CaptureRequest& request) {
  TRAIL_ASSIGN_OR_RETURN(Pipe out, MakePipe());
  TRAIL_ASSIGN_OR_RETURN(Pipe err, MakePipe());

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), 2);
  if (!request.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, request.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);

  const char* argv[] = {"/bin/sh", "-c", request.command.c_str(), nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return IoError("cannot run /bin/sh: " + ErrnoMessage(rc));
  out.write.reset();
  err.write.reset();

  std::string stdout_text, stderr_text;
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  bool timed_out = false;
  std::vector<pollfd> fds = {{out.read.get(), POLLIN, 0}, {err.read.get(), POLLIN, 0}};
  char buf[4096];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        fds[i].fd = -1;  // EOF: the pipe's write ends are all closed
        continue;
      }
      std::string& sink = i == 0 ? stdout_text : stderr_text;
      size_t room = request.max_bytes > sink.size() ? request.max_bytes - sink.size() : 0;
      sink.append(buf, std::min(room, static_cast<size_t>(got)));
    }
  }
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Internal("timed out after " + FormatDouble(request.timeout.count() / 1000.0) + " s");
  }
  if (WIFSIGNALED(status)) return Internal("killed by signal " + std::to_string(WTERMSIG(status)));
  Captured result;
  result.exit_code = WEXITSTATUS(status);
  if (result.exit_code != 0) {
    std::string why = FirstLine(stderr_text);
    return Internal("exited with code " + std::to_string(result.exit_code) + (why.empty() ? "" : ": " + why));
  }
  while (!stdout_text.empty() && (stdout_text.back() == '\n' || stdout_text.back() == '\r')) stdout_text.pop_back();
  result.out = std::move(stdout_text);
  return result;
}

}  // namespace trail::process
