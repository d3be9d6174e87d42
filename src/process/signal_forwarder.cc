#include "process/signal_forwarder.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "process/fd_io.h"

namespace trail::process {
namespace {

// The first six are forwarded; the order of all nine is the order of old_.
constexpr std::array<int, 9> kHandled = {SIGTERM, SIGHUP,   SIGQUIT, SIGUSR1, SIGUSR2,
                                         SIGINT,  SIGWINCH, SIGCHLD, SIGPIPE};

enum Phase : int { kBeforeTarget, kForwarding, kDone };

// Everything the handler touches. Plain atomics only: they are lock-free, so
// the handler may use them.
std::atomic<bool> g_installed{false};
std::atomic<int> g_phase{kBeforeTarget};
std::atomic<int> g_running_handlers{0};
std::atomic<pid_t> g_pid{0};
std::atomic<int> g_pidfd{-1};
std::atomic<uint64_t> g_pending{0};  // bit n: signal n waits for a target
std::atomic<int> g_wake_write{-1};
std::atomic<int> g_mirror_source[2] = {-1, -1};
std::atomic<int> g_mirror_master[2] = {-1, -1};
static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<uint64_t>::is_always_lock_free);

void SendNow(int sig) {
  int pidfd = g_pidfd.load();
  if (pidfd >= 0) {
    // Addresses this very process even after it is reaped: no pid reuse race.
    syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0);
    return;
  }
  pid_t pid = g_pid.load();
  if (pid > 0) kill(pid, sig);
}

void Forward(int sig) {
  g_pending.fetch_or(uint64_t{1} << sig);
  // Whoever sees both the bit and the target sends it: either this handler
  // or SetTarget(), which publishes the target before taking the bits.
  if (g_phase.load() != kForwarding) return;
  uint64_t bits = g_pending.exchange(0);
  for (int s = 1; s < 64; ++s) {
    if (bits & (uint64_t{1} << s)) SendNow(s);
  }
}

// True for a SIGINT/SIGQUIT typed at our terminal that the child got too.
bool ChildAlreadyGotIt(int sig, const siginfo_t* info) {
  if (sig != SIGINT && sig != SIGQUIT) return false;
  if (info == nullptr || info->si_code != SI_KERNEL) return false;
  if (g_phase.load() != kForwarding) return false;  // no child yet to get it
  pid_t pid = g_pid.load();
  return pid > 0 && getpgid(pid) == getpgrp();
}

void MirrorSizes() {
  bool resized = false;
  for (int i = 0; i < 2; ++i) {
    int source = g_mirror_source[i].load();
    int master = g_mirror_master[i].load();
    winsize ws{};
    if (source < 0 || master < 0 || ioctl(source, TIOCGWINSZ, &ws) != 0) continue;
    if (ioctl(master, TIOCSWINSZ, &ws) == 0) resized = true;
  }
  if (resized && g_phase.load() == kForwarding) SendNow(SIGWINCH);
}

void Handler(int sig, siginfo_t* info, void*) {
  const int saved_errno = errno;
  // Counted before any descriptor is loaded, so the destructor can wait us out
  // before closing what we might be using.
  g_running_handlers.fetch_add(1);
  if (sig == SIGCHLD) {
    int fd = g_wake_write.load();
    char byte = 0;
    if (fd >= 0) (void)!write(fd, &byte, 1);  // a full pipe already wakes the reader
  } else if (sig == SIGWINCH) {
    MirrorSizes();
  } else if (!ChildAlreadyGotIt(sig, info)) {
    Forward(sig);
  }
  g_running_handlers.fetch_sub(1);
  errno = saved_errno;
}

void WaitForRunningHandlers() {
  while (g_running_handlers.load() != 0) sched_yield();
}

}  // namespace

StatusOr<std::unique_ptr<SignalForwarder>> SignalForwarder::Install() {
  static_assert(kHandled.size() == kNumHandled);
  bool expected = false;
  if (!g_installed.compare_exchange_strong(expected, true)) {
    return FailedPrecondition("another child process is already being supervised");
  }
  std::unique_ptr<SignalForwarder> f(new SignalForwarder());
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return ErrnoError("cannot create signal pipe");
  f->wake_read_.reset(fds[0]);
  f->wake_write_.reset(fds[1]);

  g_phase.store(kBeforeTarget);
  g_pending.store(0);
  g_pid.store(0);
  g_pidfd.store(-1);
  g_wake_write.store(fds[1]);

  for (int sig : kHandled) {
    struct sigaction sa {};
    if (sig == SIGPIPE) {
      // A closed stdout must turn into EPIPE, not kill us mid-run.
      sa.sa_handler = SIG_IGN;
    } else {
      sa.sa_sigaction = Handler;
      // SA_RESTART: other threads of trail must not see spurious EINTR.
      sa.sa_flags = SA_SIGINFO | SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
      sigfillset(&sa.sa_mask);  // no nesting; keeps the handler easy to reason about
    }
    if (sigaction(sig, &sa, &f->old_[f->installed_]) != 0) {
      return ErrnoError("cannot install signal handler");  // ~SignalForwarder undoes the rest
    }
    ++f->installed_;
  }
  return f;
}

SignalForwarder::~SignalForwarder() {
  ClearTarget();
  for (int i = 0; i < installed_; ++i) sigaction(kHandled[i], &old_[i], nullptr);
  g_wake_write.store(-1);
  for (int i = 0; i < 2; ++i) {
    g_mirror_source[i].store(-1);
    g_mirror_master[i].store(-1);
  }
  WaitForRunningHandlers();
  g_installed.store(false);
}

void SignalForwarder::SetTarget(pid_t pid, int pidfd) {
  g_pid.store(pid);
  g_pidfd.store(pidfd);
  g_phase.store(kForwarding);
  uint64_t bits = g_pending.exchange(0);
  for (int s = 1; s < 64; ++s) {
    if (bits & (uint64_t{1} << s)) SendNow(s);
  }
}

void SignalForwarder::ClearTarget() {
  g_phase.store(kDone);
  g_pidfd.store(-1);
  g_pid.store(0);
  WaitForRunningHandlers();
}

void SignalForwarder::MirrorWindowSize(int source_fd, int master_fd) {
  for (int i = 0; i < 2; ++i) {
    if (g_mirror_master[i].load() >= 0) continue;
    g_mirror_source[i].store(source_fd);
    g_mirror_master[i].store(master_fd);
    return;
  }
}

void SignalForwarder::DrainWakeups() {
  char buf[64];
  while (read(wake_read_.get(), buf, sizeof buf) > 0) {
  }
}

void SignalForwarder::ResetInChild(const sigset_t& mask) const {
  for (int i = 0; i < installed_; ++i) {
    const struct sigaction& old = old_[i];
    struct sigaction sa {};
    bool ignored = !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_IGN;
    sa.sa_handler = ignored ? SIG_IGN : SIG_DFL;
    sigaction(kHandled[i], &sa, nullptr);
  }
  sigprocmask(SIG_SETMASK, &mask, nullptr);
}

}  // namespace trail::process
