#include "process/output_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <climits>

#include "process/fd_io.h"

namespace trail::process {
namespace {

// As in ChildProcess: large reads keep a fast child cheap, and after a short
// read from a pipe a pause lets the child's writes collect (see kCoalesce
// there); ptys batch by themselves.
constexpr size_t kRelayReadBytes = 256 * 1024;
constexpr long kCoalesceNanos = 500'000;
// A large copy pipe lets trail fall behind for a moment without holding the
// child up. Failure only costs speed.
constexpr int kCopyPipeBytes = 1 << 20;
constexpr int kMaxStreams = 2;

// Everything the relay needs, laid out before fork(): after it only
// async-signal-safe calls are allowed (trail has threads), so no allocation.
struct RelayPlan {
  int count = 0;
  int from[kMaxStreams] = {-1, -1};  // pty master or pipe read end
  int to[kMaxStreams] = {-1, -1};    // our fd 1 or 2
  int copy[kMaxStreams] = {-1, -1};  // write end of the pipe to trail
  bool pty[kMaxStreams] = {false, false};
  int stop = -1;  // read end: a byte means "stop now", EOF means trail died
};

void CloseRange(unsigned low, unsigned high) {
  if (low > high) return;
  if (syscall(SYS_close_range, low, high, 0) == 0) return;
  rlimit limit{};  // kernels before 5.9: close one by one up to the limit
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  unsigned last = limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > 65536 ? 65535 : limit.rlim_cur - 1;
  for (unsigned fd = low; fd <= high && fd <= last; ++fd) close(static_cast<int>(fd));
}

// Closes every descriptor above 2 except those of the plan: the relay must
// not keep trail's locks, databases or the copy pipes' read ends (holding
// those would hide trail's death from it) alive.
void CloseAllBut(const RelayPlan& plan) {
  int keep[2 * kMaxStreams + 1];
  int n = 0;
  keep[n++] = plan.stop;
  for (int i = 0; i < plan.count; ++i) {
    keep[n++] = plan.from[i];
    keep[n++] = plan.copy[i];
  }
  for (int i = 1; i < n; ++i) {  // insertion sort: at most five entries
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  }
  unsigned next = STDERR_FILENO + 1;
  for (int i = 0; i < n; ++i) {
    unsigned fd = static_cast<unsigned>(keep[i]);
    if (fd > next) CloseRange(next, fd - 1);
    if (fd >= next) next = fd + 1;
  }
  CloseRange(next, UINT_MAX);
}

void IgnoreTerminalSignals() {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  for (int sig : {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2}) sigaction(sig, &ignore, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Runs in the relay process: async-signal-safe calls only.
[[noreturn]] void RunRelay(RelayPlan plan) {
  IgnoreTerminalSignals();
  CloseAllBut(plan);
  static char buffer[kRelayReadBytes];  // static: no allocation after fork()
  bool broken[STDERR_FILENO + 1] = {false, false, false};
  int open_streams = plan.count;
  while (open_streams > 0) {
    pollfd fds[kMaxStreams + 1];
    for (int i = 0; i < plan.count; ++i) fds[i] = {plan.from[i], POLLIN, 0};  // -1: ignored
    fds[plan.count] = {plan.stop, POLLIN, 0};
    if (poll(fds, static_cast<nfds_t>(plan.count + 1), -1) < 0) continue;  // EINTR
    if (plan.stop >= 0 && fds[plan.count].revents != 0) {
      char byte;
      ssize_t got = read(plan.stop, &byte, 1);
      // trail finished normally and has read all it wants: whatever a
      // background grandchild writes later is dropped, as trail always did.
      if (got > 0) _exit(0);
      if (got == 0) {  // trail died: relay alone until the child is done
        close(plan.stop);
        plan.stop = -1;
      }
    }
    bool caught_up = false;
    for (int i = 0; i < plan.count; ++i) {
      if (plan.from[i] < 0 || fds[i].revents == 0) continue;
      ssize_t got = read(plan.from[i], buffer, sizeof buffer);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got <= 0) {  // EOF, or EIO from a pty whose last writer is gone
        close(plan.from[i]);
        plan.from[i] = -1;
        if (plan.copy[i] >= 0) close(plan.copy[i]);  // trail sees EOF too
        plan.copy[i] = -1;
        --open_streams;
        continue;
      }
      const size_t size = static_cast<size_t>(got);
      // The user's terminal first: it must never wait on trail. A failed
      // write stops writing there but not reading, as in a bare run's pipe.
      const int to = plan.to[i];
      if (!broken[to] && WriteFully(to, buffer, size) != 0) broken[to] = true;
      // EPIPE: trail is gone. Keep relaying without it.
      if (plan.copy[i] >= 0 && WriteFully(plan.copy[i], buffer, size) != 0) {
        close(plan.copy[i]);
        plan.copy[i] = -1;
      }
      caught_up |= !plan.pty[i] && size < sizeof buffer;
    }
    if (caught_up) {
      timespec pause{0, kCoalesceNanos};
      nanosleep(&pause, nullptr);
    }
  }
  _exit(0);
}

}  // namespace

StatusOr<RelayedOutput> StartOutputRelay(const std::vector<OutputStream>& streams) {
  if (streams.empty() || streams.size() > kMaxStreams) return InvalidArgument("the relay takes one or two streams");
  RelayPlan plan;
  RelayedOutput out;
  std::vector<UniqueFd> copy_write_ends;
  int stop_fds[2];
  // A socket rather than a pipe: trail can send() with MSG_NOSIGNAL to a
  // relay that has already exited.
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, stop_fds) != 0) return ErrnoError("cannot create socket");
  UniqueFd stop_read(stop_fds[0]);
  out.stop = UniqueFd(stop_fds[1]);
  plan.stop = stop_fds[0];
  for (const OutputStream& s : streams) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("cannot create pipe");
    UniqueFd read_end(fds[0]);
    copy_write_ends.emplace_back(fds[1]);
    (void)fcntl(read_end.get(), F_SETPIPE_SZ, kCopyPipeBytes);
    TRAIL_RETURN_IF_ERROR(SetNonBlocking(read_end.get()));
    plan.from[plan.count] = s.read_end.get();
    plan.to[plan.count] = s.relay_to;
    plan.copy[plan.count] = fds[1];
    plan.pty[plan.count] = s.is_pty;
    ++plan.count;
    out.copies.push_back(OutputStream{std::move(read_end), -1, false});
  }

  // Signals stay blocked across fork(): the relay must not run trail's
  // handlers before it has set its own dispositions.
  sigset_t all, mask;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &mask);
  pid_t middle = fork();
  if (middle == 0) {
    // Double fork: the relay is orphaned at once, so it never becomes a
    // zombie of trail's and nothing has to wait for it.
    pid_t relay = fork();
    if (relay == 0) RunRelay(plan);
    _exit(relay < 0 ? 1 : 0);
  }
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &mask, nullptr);
  if (middle < 0) {
    errno = fork_errno;
    return ErrnoError("cannot start the output relay");
  }
  int status = 0;
  while (waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return IoError("cannot start the output relay: fork failed");
  return out;  // copy_write_ends close here: only the relay holds them now
}

}  // namespace trail::process
