#include "process/child_output.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "process/fd_io.h"

namespace trail::process {
namespace {

// A larger pipe means fewer wake-ups when the child writes a lot. Failure
// (e.g. over /proc/sys/fs/pipe-max-size) only costs speed.
constexpr int kPipeBytes = 1 << 20;

struct Pair {
  UniqueFd ours;
  UniqueFd child;
};

StatusOr<Pair> OpenPipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("cannot create pipe");
  Pair p{UniqueFd(fds[0]), UniqueFd(fds[1])};
  (void)fcntl(p.ours.get(), F_SETPIPE_SZ, kPipeBytes);
  TRAIL_RETURN_IF_ERROR(SetNonBlocking(p.ours.get()));
  return p;
}

// A pty that looks like the terminal `mirror_fd`: same modes and window size.
StatusOr<Pair> OpenPty(int mirror_fd) {
  // posix_openpt+open rather than openpty(): both ends are created O_CLOEXEC,
  // so a fork() on another thread cannot leak them.
  UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master.valid()) return ErrnoError("cannot open pseudo-terminal");
  char name[128];
  if (grantpt(master.get()) != 0 || unlockpt(master.get()) != 0 || ptsname_r(master.get(), name, sizeof name) != 0) {
    return ErrnoError("cannot set up pseudo-terminal");
  }
  // O_NOCTTY: the child keeps our real terminal as its controlling terminal,
  // so Ctrl-C, job control and prompts on stdin behave as in a bare run.
  UniqueFd slave(open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave.valid()) return ErrnoError(std::string("cannot open ") + name);

  termios modes{};
  if (tcgetattr(mirror_fd, &modes) == 0) {
    // Output processing (\n -> \r\n) is left to the real terminal, under
    // whatever modes the child sets there; doing it here too would put \r\n
    // in the recorded output and break children that switch the terminal
    // to raw mode.
    modes.c_oflag &= ~OPOST;
    (void)tcsetattr(slave.get(), TCSANOW, &modes);
  }
  winsize ws{};
  if (ioctl(mirror_fd, TIOCGWINSZ, &ws) == 0) (void)ioctl(master.get(), TIOCSWINSZ, &ws);
  TRAIL_RETURN_IF_ERROR(SetNonBlocking(master.get()));
  return Pair{std::move(master), std::move(slave)};
}

// True if writing to `a` and to `b` lands in the same place: the same
// terminal, or the same file or pipe (as after 2>&1).
bool SameDestination(int a, int b) {
  struct stat sa, sb;
  if (fstat(a, &sa) != 0 || fstat(b, &sb) != 0) return false;
  if (S_ISCHR(sa.st_mode) && S_ISCHR(sb.st_mode)) return sa.st_rdev == sb.st_rdev;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace

StatusOr<ChildOutput> OpenChildOutput() {
  ChildOutput out;
  const bool out_tty = isatty(STDOUT_FILENO) == 1;
  const bool err_tty = isatty(STDERR_FILENO) == 1;
  // One channel for both keeps their interleaving exactly as the child wrote
  // it; two would only approximate it.
  const bool shared = out_tty == err_tty && SameDestination(STDOUT_FILENO, STDERR_FILENO);

  for (int target : {STDOUT_FILENO, STDERR_FILENO}) {
    if (target == STDERR_FILENO && shared) {
      out.child_stderr = out.child_stdout;
      break;
    }
    const bool tty = target == STDOUT_FILENO ? out_tty : err_tty;
    auto pair = tty ? OpenPty(target) : OpenPipe();
    if (!pair.ok()) return pair.status();
    (target == STDOUT_FILENO ? out.child_stdout : out.child_stderr) = pair->child.get();
    out.child_ends.push_back(std::move(pair->child));
    out.streams.push_back(OutputStream{std::move(pair->ours), target, tty});
  }
  return out;
}

}  // namespace trail::process
