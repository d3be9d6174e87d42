#include "process/program.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "process/fd_io.h"
#include "process/unique_fd.h"

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

// posix_spawn's two attribute objects, destroyed with the scope.
struct SpawnAttributes {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnAttributes() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnAttributes() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
};

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts `program` with stdout/stderr going to `out_fd`/`err_fd` where its Stream is kCapture.
StatusOr<pid_t> Start(const Program& program, int out_fd, int err_fd) {
  if (program.argv.empty()) return InvalidArgument("no program to run");
  SpawnAttributes spawn;
  posix_spawn_file_actions_addopen(&spawn.actions, 0, "/dev/null", O_RDONLY, 0);
  if (program.out == Stream::kNull) posix_spawn_file_actions_addopen(&spawn.actions, 1, "/dev/null", O_WRONLY, 0);
  if (program.out == Stream::kCapture) posix_spawn_file_actions_adddup2(&spawn.actions, out_fd, 1);
  if (program.err == Stream::kNull) posix_spawn_file_actions_addopen(&spawn.actions, 2, "/dev/null", O_WRONLY, 0);
  if (program.err == Stream::kCapture) posix_spawn_file_actions_adddup2(&spawn.actions, err_fd, 2);
  if (program.err == Stream::kIntoStdout) posix_spawn_file_actions_adddup2(&spawn.actions, 1, 2);
  if (!program.cwd.empty()) posix_spawn_file_actions_addchdir_np(&spawn.actions, program.cwd.c_str());

  short flags = 0;
  if (program.own_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&spawn.attr, 0);
  }
  if (program.reset_signals) {
    flags |= POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    sigset_t none, defaults;
    sigemptyset(&none);
    if (program.default_signals.empty()) {
      sigfillset(&defaults);
    } else {
      sigemptyset(&defaults);
      for (int s : program.default_signals) sigaddset(&defaults, s);
    }
    posix_spawnattr_setsigmask(&spawn.attr, &none);
    posix_spawnattr_setsigdefault(&spawn.attr, &defaults);
  }
  if (flags != 0) posix_spawnattr_setflags(&spawn.attr, flags);

  std::vector<std::string> args = program.argv;
  std::vector<char*> argv = Pointers(args);
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  if (program.env) {
    env_strings = *program.env;
    envp = Pointers(env_strings);
  }
  char* const* env = program.env ? envp.data() : environ;
  pid_t pid = -1;
  const int rc = program.search_path ? ::posix_spawnp(&pid, argv[0], &spawn.actions, &spawn.attr, argv.data(), env)
                                     : ::posix_spawn(&pid, argv[0], &spawn.actions, &spawn.attr, argv.data(), env);
  if (rc != 0) return IoError("cannot run " + program.argv[0] + ": " + ErrnoMessage(rc));
  return pid;
}

}  // namespace

StatusOr<pid_t> StartProgram(const Program& program) {
  if (program.out == Stream::kCapture || program.err == Stream::kCapture)
    return InvalidArgument("StartProgram cannot capture output; use RunProgram");
  return Start(program, -1, -1);
}

std::vector<std::string> CurrentEnvironmentWithout(const std::vector<std::string>& prefixes) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    const bool dropped =
        std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return entry.starts_with(p); });
    if (!dropped) out.emplace_back(entry);
  }
  return out;
}

StatusOr<ProgramOutput> RunProgram(const Program& program, const OutputLimits& limits) {
  std::optional<Pipe> out, err;
  if (program.out == Stream::kCapture) {
    TRAIL_ASSIGN_OR_RETURN(out, MakePipe());
  }
  if (program.err == Stream::kCapture) {
    TRAIL_ASSIGN_OR_RETURN(err, MakePipe());
  }
  TRAIL_ASSIGN_OR_RETURN(pid_t pid, Start(program, out ? out->write.get() : -1, err ? err->write.get() : -1));
  // Our copies of the write ends must go, or the reads below never see EOF.
  if (out) out->write.reset();
  if (err) err->write.reset();

  ProgramOutput result;
  const auto deadline = limits.timeout ? std::chrono::steady_clock::now() + *limits.timeout
                                       : std::chrono::steady_clock::time_point::max();
  std::vector<pollfd> fds = {{out ? out->read.get() : -1, POLLIN, 0}, {err ? err->read.get() : -1, POLLIN, 0}};
  char buf[4096];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    int wait_ms = -1;
    if (limits.timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        result.timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(left.count());
    }
    const int n = ::poll(fds.data(), fds.size(), wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        fds[i].fd = -1;  // EOF: every write end is closed
        continue;
      }
      std::string& sink = i == 0 ? result.out : result.err;
      const size_t room = limits.max_bytes > sink.size() ? limits.max_bytes - sink.size() : 0;
      sink.append(buf, std::min(room, static_cast<size_t>(got)));
    }
  }
  if (result.timed_out) ::kill(program.own_process_group ? -pid : pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

}  // namespace trail::process
