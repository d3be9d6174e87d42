// ChildProcess: runs the user's command exactly as a bare shell would, while
// relaying its output, keeping the tail of it, and forwarding signals.
//
// What the child sees:
//  - stdin: ours, untouched. It stays in our process group, so a Ctrl-C at
//    the terminal reaches it directly and prompts read the real terminal.
//  - stdout/stderr: a pseudo-terminal when ours is a terminal (same modes and
//    window size, kept in step on SIGWINCH), a pipe otherwise; one shared pty
//    or pipe when our fds 1 and 2 lead to the same place. Every byte is
//    copied to our own fd 1 or 2 as soon as it is read, unchanged. (While a
//    pipe streams, reads are spaced up to 0.5 ms apart to spare the child a
//    wake-up per write; see kCoalesce.) The copying is done by a relay
//    process (output_relay.h) that outlives trail, so a kill -9 of trail
//    never kills the child with SIGPIPE or EIO; trail reads the relay's copy
//    for the tail and on_output. That copy moves only inside Wait(), so
//    call it right after Start(): meanwhile a chatty child fills the pipes
//    and blocks.
//  - signals: SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGINT sent to
//    trail are forwarded (see signal_forwarder.h for the terminal Ctrl-C
//    case); trail survives them and reports the child's own exit. SIGPIPE is
//    ignored while the child runs. Previous dispositions are restored when
//    Wait() returns.
//  - descriptors: only 0-2 and ChildSpec::keep_fds (everything trail opens
//    must be O_CLOEXEC; descriptors trail inherited without close-on-exec are
//    passed on, as in a bare run).
//
// Signal handling is process-wide, so only one ChildProcess may be alive at
// a time; Start() fails with FailedPrecondition otherwise.
//
// Typical use:
//   TRAIL_ASSIGN_OR_RETURN(auto child, ChildProcess::Start(spec));
//   ChildExit exit = child->Wait([&] { SaveTail(child->OutputTail()); },
//                                std::chrono::milliseconds(100));
//   return exit.ShellCode();
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "process/tail_buffer.h"
#include "process/unique_fd.h"
#include "trail/status.h"

namespace trail::process {

class SignalForwarder;
struct OutputStream;

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is searched on the PATH in env
  std::vector<std::string> env;   // the complete environment, "K=V"
  std::string cwd;                // empty = inherit
  std::vector<int> keep_fds;      // inherited by the child; each must be >= 3
  size_t tail_bytes = 64 * 1024;
  // Called on the relay thread with each chunk right after it was written to
  // us (stream 0: stdout or the shared pty/pipe, 1: a separate stderr). Must
  // be quick: copy, don't parse. May be empty.
  std::function<void(size_t stream, const char* data, size_t size)> on_output;
};

struct ChildExit {
  bool signaled = false;
  int exit_code = 0;
  int signal = 0;
  int ShellCode() const { return signaled ? 128 + signal : exit_code; }
};

class ChildProcess {
 public:
  // Returns once the program is running. A program that cannot be executed
  // is an error here, e.g. NotFound("cannot run 'foo': No such file or
  // directory"), never a child exiting with 127.
  static StatusOr<std::unique_ptr<ChildProcess>> Start(const ChildSpec& spec);

  // If Wait() was never called, kills the child (SIGKILL) and reaps it, so
  // nothing is left running unsupervised.
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Relays output until the child exits, then drains what it left in the
  // pty/pipes: until EOF, or until they stay silent for ~200 ms (a grandchild
  // may hold them open), and at most ~2 s. Calls `on_tick` (may be empty) on
  // this thread roughly every `tick`, and once more after the child exited and
  // its output was drained; keep it short, output waits while it runs.
  // Later calls return the same result at once. If the child was reaped by
  // someone else, reports exit_code 255.
  ChildExit Wait(const std::function<void()>& on_tick, std::chrono::milliseconds tick);

  // The last ChildSpec::tail_bytes of stdout and stderr as they arrived.
  // Safe from on_tick and from other threads.
  std::string OutputTail() const { return tail_.Contents(); }

  // Every byte the child wrote to stdout and stderr so far.
  uint64_t output_bytes() const { return tail_.total_bytes(); }

 private:
  ChildProcess(pid_t pid, UniqueFd pidfd, std::vector<UniqueFd> pty_masters, std::vector<OutputStream> streams,
               std::unique_ptr<SignalForwarder> signals, size_t tail_bytes);

  // Reads one chunk and relays it. Returns the bytes read; closes the stream
  // at EOF (or EIO, which is how a pty says its last writer is gone).
  size_t ReadStream(OutputStream& stream);
  // Reaps the child if it has exited; fills exit_.
  bool ReapIfExited();
  void DrainAfterExit();
  void Finish();

  const pid_t pid_;
  // Declared before signals_ so the forwarder, which uses these descriptors
  // from its handler, is always torn down first.
  UniqueFd pidfd_;
  std::vector<UniqueFd> pty_masters_;  // only for window sizes: the relay reads them
  std::vector<OutputStream> streams_;  // the relay's copies of the child's output
  UniqueFd relay_stop_;                // see RelayedOutput::stop
  std::unique_ptr<SignalForwarder> signals_;
  TailBuffer tail_;
  std::function<void(size_t, const char*, size_t)> on_output_;
  std::vector<char> buffer_;
  std::array<bool, 3> broken_{};  // our fd 1/2 refused a write; stop writing to it
  bool reaped_ = false;
  bool finished_ = false;
  ChildExit exit_;
};

}  // namespace trail::process
