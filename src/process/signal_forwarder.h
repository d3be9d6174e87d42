// SignalForwarder: while a child runs, relays the signals trail receives to it
// so that trail itself never dies from them.
//
// Forwarded: SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGINT. A SIGINT or
// SIGQUIT typed at the terminal (si_code == SI_KERNEL) already reached the
// child, which shares our process group, so it is not sent a second time
// (unless the child has since moved to another process group). SIGPIPE is
// ignored, SIGCHLD wakes wake_fd(), and SIGWINCH resizes mirrored ptys.
//
// Forwarding happens inside the handler (pidfd_send_signal() or kill(), both
// async-signal-safe), so it is never held up by a relay loop that is blocked
// writing to a slow terminal. Install before fork(): a signal that arrives
// before SetTarget() is held and sent when the child is named.
//
// Dispositions are process-wide, so at most one SignalForwarder may exist at a
// time; Install() fails while another is alive.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <array>
#include <memory>

#include "process/unique_fd.h"
#include "trail/status.h"

namespace trail::process {

class SignalForwarder {
 public:
  static StatusOr<std::unique_ptr<SignalForwarder>> Install();

  // Stops forwarding, restores the dispositions found by Install(), and waits
  // for handlers still running on other threads before closing anything.
  ~SignalForwarder();

  SignalForwarder(const SignalForwarder&) = delete;
  SignalForwarder& operator=(const SignalForwarder&) = delete;

  // Names the child and sends it any signals held so far. `pidfd` is -1 on
  // kernels without pidfd_open(); kill(pid) is used then.
  void SetTarget(pid_t pid, int pidfd);

  // Stops forwarding and waits for in-flight handlers. Call it before reaping
  // the child, so that a handler can never signal a recycled pid.
  void ClearTarget();

  // On SIGWINCH, copies the window size of terminal `source_fd` to the pty
  // whose master is `master_fd`, then nudges the child with a SIGWINCH of its
  // own (it may have read the size before we updated it). At most two pairs;
  // both descriptors must stay open until this forwarder is destroyed.
  void MirrorWindowSize(int source_fd, int master_fd);

  // Becomes readable when SIGCHLD arrives. Poll it, then call DrainWakeups().
  int wake_fd() const { return wake_read_.get(); }
  void DrainWakeups();

  // For the forked child, before exec(): puts back the dispositions trail had
  // before Install() (our handlers become SIG_DFL; ignored stays ignored, as
  // it would for a bare run) and sets the signal mask to `mask`.
  // Async-signal-safe.
  void ResetInChild(const sigset_t& mask) const;

 private:
  static constexpr int kNumHandled = 9;

  SignalForwarder() = default;

  std::array<struct sigaction, kNumHandled> old_{};
  int installed_ = 0;  // entries of old_ that hold a saved disposition
  UniqueFd wake_read_;
  UniqueFd wake_write_;
};

}  // namespace trail::process
