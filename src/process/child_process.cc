#include "process/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "process/child_output.h"
#include "process/exec_plan.h"
#include "process/fd_io.h"
#include "process/output_relay.h"
#include "process/signal_forwarder.h"
#include "process/spawn.h"

namespace trail::process {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Reads this large keep relaying a fast child cheap (few syscalls per MB).
constexpr size_t kReadBytes = 256 * 1024;
// After the child exits: how long its pty/pipes may stay silent before we
// assume a grandchild holds them, and how long we drain at most.
constexpr milliseconds kDrainIdle(200);
constexpr milliseconds kDrainMax(2000);
// After a short read from a pipe (the child is writing and we have caught
// up), pause this long before polling again. While we sleep in poll() every
// write by the child must wake us, which made a child printing line by line
// twice as slow; pausing lets its writes collect in the pipe for free. What
// the user sees is never held back more than this, and the first bytes
// after a quiet spell are relayed at once. Not for ptys: the tty layer
// already batches the child's writes, and a pty read returns at most 4 KiB,
// so a short read there does not mean we caught up.
constexpr std::chrono::microseconds kCoalesce(500);

int PollTimeout(Clock::time_point deadline) {
  auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

Status CheckKeepFds(const std::vector<int>& fds) {
  for (int fd : fds) {
    if (fd <= STDERR_FILENO) {
      return InvalidArgument("cannot pass descriptor " + std::to_string(fd) + ": 0, 1 and 2 are the child's stdio");
    }
    if (fcntl(fd, F_GETFD) < 0) {
      return InvalidArgument("cannot pass descriptor " + std::to_string(fd) + ": not open");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(const ChildSpec& spec) {
  if (spec.argv.empty()) return InvalidArgument("no command to run");
  TRAIL_RETURN_IF_ERROR(CheckKeepFds(spec.keep_fds));
  ExecPlan plan(spec.argv, spec.env);
  TRAIL_ASSIGN_OR_RETURN(ChildOutput output, OpenChildOutput());
  // Before the forwarder: the relay starts with our original dispositions.
  TRAIL_ASSIGN_OR_RETURN(RelayedOutput relayed, StartOutputRelay(output.streams));
  // Only the relay reads the child's output now. Pipe read ends go (the
  // child must not block on a pipe that only a dead relay could drain); pty
  // masters stay, to keep the pty's window size in step with ours.
  std::vector<UniqueFd> pty_masters;
  for (OutputStream& s : output.streams) {
    if (s.is_pty) pty_masters.push_back(std::move(s.read_end));
  }
  // Before fork(): no signal may find us between spawning and forwarding.
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<SignalForwarder> signals, SignalForwarder::Install());
  size_t master = 0;
  for (const OutputStream& s : output.streams) {
    if (s.is_pty) signals->MirrorWindowSize(s.relay_to, pty_masters[master++].get());
  }
  output.streams.clear();

  SpawnRequest request;
  request.plan = &plan;
  request.cwd = spec.cwd;
  request.keep_fds = spec.keep_fds;
  request.child_stdout = output.child_stdout;
  request.child_stderr = output.child_stderr;
  request.signals = signals.get();
  StatusOr<Spawned> spawned = Spawn(request);
  // Our copies of the child's ends must go, or EOF/EIO would never come.
  output.child_ends.clear();
  if (!spawned.ok()) return spawned.status();

  auto child =
      std::unique_ptr<ChildProcess>(new ChildProcess(spawned->pid, std::move(spawned->pidfd), std::move(pty_masters),
                                                     std::move(relayed.copies), std::move(signals), spec.tail_bytes));
  child->relay_stop_ = std::move(relayed.stop);
  child->on_output_ = spec.on_output;
  return child;
}

ChildProcess::ChildProcess(pid_t pid, UniqueFd pidfd, std::vector<UniqueFd> pty_masters,
                           std::vector<OutputStream> streams, std::unique_ptr<SignalForwarder> signals,
                           size_t tail_bytes)
    : pid_(pid),
      pidfd_(std::move(pidfd)),
      pty_masters_(std::move(pty_masters)),
      streams_(std::move(streams)),
      signals_(std::move(signals)),
      tail_(tail_bytes),
      buffer_(kReadBytes) {}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    signals_->ClearTarget();
    if (pidfd_.valid()) {
      syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
    } else {
      kill(pid_, SIGKILL);  // not reaped yet, so the pid is still ours
    }
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  Finish();
}

ChildExit ChildProcess::Wait(const std::function<void()>& on_tick, milliseconds tick) {
  if (finished_) return exit_;
  if (tick <= milliseconds(0)) tick = milliseconds(100);
  Clock::time_point next_tick = Clock::now() + tick;

  while (!reaped_) {
    // Fixed slots: 0 = SIGCHLD wake-up, 1 = pidfd, 2.. = output streams.
    pollfd fds[4];
    fds[0] = {signals_->wake_fd(), POLLIN, 0};
    fds[1] = {pidfd_.get(), POLLIN, 0};  // poll() ignores a negative fd
    for (size_t i = 0; i < 2; ++i) {
      int fd = i < streams_.size() ? streams_[i].read_end.get() : -1;
      fds[2 + i] = {fd, POLLIN, 0};
    }
    int ready = poll(fds, 4, PollTimeout(next_tick));
    if (ready < 0 && errno != EINTR) ready = 0;  // cannot happen with valid args; keep ticking
    bool caught_up = false;
    if (ready > 0) {
      for (size_t i = 0; i < streams_.size(); ++i) {
        if (fds[2 + i].revents == 0) continue;
        size_t got = ReadStream(streams_[i]);
        caught_up |= !streams_[i].is_pty && got > 0 && got < buffer_.size();
      }
      if (fds[0].revents != 0) signals_->DrainWakeups();
    }
    // Without a pidfd, SIGCHLD is the wake-up; checking on every timeout as
    // well costs one syscall per tick and covers any lost wake-up.
    if (ready == 0 || fds[0].revents != 0 || fds[1].revents != 0) ReapIfExited();

    if (Clock::now() >= next_tick) {
      if (on_tick) on_tick();
      next_tick = Clock::now() + tick;
    }
    if (caught_up && !reaped_) std::this_thread::sleep_for(kCoalesce);
  }

  DrainAfterExit();
  Finish();
  if (on_tick) on_tick();
  return exit_;
}

size_t ChildProcess::ReadStream(OutputStream& stream) {
  if (!stream.read_end.valid()) return 0;
  ssize_t n = read(stream.read_end.get(), buffer_.data(), buffer_.size());
  if (n > 0) {
    tail_.Append(buffer_.data(), static_cast<size_t>(n));
    const int to = stream.relay_to;  // -1: the relay has written it already
    // After EPIPE (or any failure) we stop writing but keep reading, so the
    // child is never blocked on a full pipe because our reader went away.
    if (to >= 0 && !broken_[to] && WriteFully(to, buffer_.data(), static_cast<size_t>(n)) != 0) {
      broken_[to] = true;
    }
    if (on_output_) on_output_(static_cast<size_t>(&stream - streams_.data()), buffer_.data(), static_cast<size_t>(n));
    return static_cast<size_t>(n);
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
  stream.read_end.reset();  // EOF, or EIO from a pty with no writer left
  return 0;
}

bool ChildProcess::ReapIfExited() {
  siginfo_t info{};
  // WNOWAIT first: the child stays a zombie, so its pid cannot be reused
  // while ClearTarget() makes sure no handler is about to signal it.
  if (waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno == EINTR) return false;
    // ECHILD: someone else reaped it (a waitpid(-1) elsewhere in trail).
    signals_->ClearTarget();
    exit_ = ChildExit{false, 255, 0};
    reaped_ = true;
    return true;
  }
  if (info.si_pid == 0) return false;  // still running
  signals_->ClearTarget();
  if (info.si_code == CLD_EXITED) {
    exit_ = ChildExit{false, info.si_status, 0};
  } else {
    exit_ = ChildExit{true, 0, info.si_status};  // CLD_KILLED or CLD_DUMPED
  }
  siginfo_t ignored{};
  while (waitid(P_PID, pid_, &ignored, WEXITED) != 0 && errno == EINTR) {
  }
  reaped_ = true;
  return true;
}

void ChildProcess::DrainAfterExit() {
  const Clock::time_point give_up = Clock::now() + kDrainMax;
  Clock::time_point quiet_until = Clock::now() + kDrainIdle;
  while (true) {
    pollfd fds[2];
    int n = 0;
    for (OutputStream& s : streams_) {
      if (s.read_end.valid()) fds[n++] = {s.read_end.get(), POLLIN, 0};
    }
    if (n == 0) return;  // all at EOF: the usual way out
    const Clock::time_point deadline = std::min(give_up, quiet_until);
    if (Clock::now() >= deadline) return;  // a grandchild holds them open
    int ready = poll(fds, static_cast<nfds_t>(n), PollTimeout(deadline));
    if (ready <= 0) continue;
    size_t got = 0;
    for (OutputStream& s : streams_) {
      for (int i = 0; i < n; ++i) {
        if (fds[i].fd == s.read_end.get() && fds[i].revents != 0) got += ReadStream(s);
      }
    }
    if (got > 0) quiet_until = Clock::now() + kDrainIdle;
  }
}

void ChildProcess::Finish() {
  if (finished_) return;
  // The forwarder goes first: its handlers use pidfd_ and the pty masters.
  signals_.reset();
  streams_.clear();
  pty_masters_.clear();
  if (relay_stop_.valid()) (void)!send(relay_stop_.get(), "q", 1, MSG_NOSIGNAL);
  relay_stop_.reset();
  pidfd_.reset();
  finished_ = true;
}

}  // namespace trail::process
