#include "process/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process/fd_io.h"

namespace trail::process {
namespace {

enum Stage : int { kStdio = 1, kKeepFd, kChdir, kExec };

// What the child writes to the report pipe when it cannot exec.
struct Failure {
  int stage = 0;
  int err = 0;
  int fd = -1;  // for kKeepFd
};

[[noreturn]] void Fail(int report_fd, Stage stage, int err, int fd = -1) {
  Failure f{stage, err, fd};
  (void)!write(report_fd, &f, sizeof f);  // fits in a pipe: one atomic write
  _exit(127);
}

// Runs in the forked child: async-signal-safe calls only.
[[noreturn]] void RunChild(const SpawnRequest& r, const sigset_t& mask, int report_fd) {
  r.signals->ResetInChild(mask);

  // Lift the sources above 2 first so that dup2() onto 1 cannot clobber the
  // source of 2 (only possible if trail was started with fd 1 or 2 closed).
  int out = r.child_stdout;
  int err = r.child_stderr;
  if (out <= STDERR_FILENO) {
    int moved = fcntl(out, F_DUPFD_CLOEXEC, 3);
    if (err == out) err = moved;
    out = moved;
  }
  if (err >= 0 && err <= STDERR_FILENO) err = fcntl(err, F_DUPFD_CLOEXEC, 3);
  if (out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0) {
    Fail(report_fd, kStdio, errno);
  }
  // stdin is left alone: the child reads our terminal (or whatever) directly.

  for (int fd : r.keep_fds) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0) Fail(report_fd, kKeepFd, errno, fd);
  }
  if (!r.cwd.empty() && chdir(r.cwd.c_str()) != 0) Fail(report_fd, kChdir, errno);
  Fail(report_fd, kExec, r.plan->ExecInChild());
}

Status StatusFor(int err, std::string message) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return NotFound(std::move(message));
    case EACCES:
    case EPERM:
    case EISDIR:
    case ENOEXEC:
      return FailedPrecondition(std::move(message));
    case EBADF:
      return InvalidArgument(std::move(message));
    default:
      return IoError(std::move(message));
  }
}

Status Describe(const Failure& f, const SpawnRequest& r) {
  const std::string reason = ErrnoMessage(f.err);
  switch (f.stage) {
    case kExec:
      // As a shell says it: a name looked up on the PATH was not there.
      if (f.err == ENOENT && r.plan->program().find('/') == std::string::npos) {
        return NotFound("command not found: " + r.plan->program());
      }
      return StatusFor(f.err, "cannot run '" + r.plan->program() + "': " + reason);
    case kChdir:
      return StatusFor(f.err, "cannot change to directory '" + r.cwd + "': " + reason);
    case kKeepFd:
      return StatusFor(f.err, "cannot pass descriptor " + std::to_string(f.fd) + " to the child: " + reason);
    default:
      return IoError("cannot redirect the child's output: " + reason);
  }
}

}  // namespace

StatusOr<Spawned> Spawn(const SpawnRequest& r) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return ErrnoError("cannot create pipe");
  UniqueFd report_read(report[0]);
  UniqueFd report_write(report[1]);

  // Block everything across fork(): until ResetInChild() the child still has
  // our handlers, which must not run there.
  sigset_t all, mask;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &mask);
  pid_t pid = fork();
  if (pid == 0) RunChild(r, mask, report_write.get());
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &mask, nullptr);
  report_write.reset();
  if (pid < 0) {
    errno = fork_errno;
    return ErrnoError("cannot start a process");
  }

  Spawned spawned;
  spawned.pid = pid;
  // -1 before Linux 5.3; we then fall back to SIGCHLD and kill().
  spawned.pidfd.reset(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  r.signals->SetTarget(pid, spawned.pidfd.get());

  Failure failure;
  ssize_t n;
  do {
    n = read(report_read.get(), &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return spawned;  // EOF: exec() closed the pipe

  r.signals->ClearTarget();
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof failure)) return Internal("lost track of the child process");
  return Describe(failure, r);
}

}  // namespace trail::process
