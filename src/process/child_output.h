// ChildOutput: the descriptors through which the child's stdout and stderr
// reach us.
//
// A stream whose destination (our fd 1 or 2) is a terminal goes through a
// pseudo-terminal, so the child sees isatty() == 1 and keeps its colours and
// progress bars; any other stream is a pipe. If both destinations are the
// same (one terminal, or one file or pipe after 2>&1), stdout and stderr
// share one pty or pipe, relayed to our fd 1, so their interleaving is exactly
// what the child wrote. Everything is O_CLOEXEC; our read ends are O_NONBLOCK.
#pragma once

#include <vector>

#include "process/unique_fd.h"
#include "trail/status.h"

namespace trail::process {

// One thing the relay loop reads from.
struct OutputStream {
  UniqueFd read_end;  // pty master or pipe read end
  int relay_to = 1;   // our descriptor that receives the bytes
  bool is_pty = false;
};

struct ChildOutput {
  std::vector<OutputStream> streams;  // one or two
  // The child's ends; close them in the parent right after fork() or the pty
  // never reports EIO and the pipes never report EOF.
  std::vector<UniqueFd> child_ends;
  int child_stdout = -1;  // one of child_ends, for the child's fd 1
  int child_stderr = -1;  // one of child_ends, for fd 2; may equal child_stdout
};

// Decides pty or pipe by looking at our own fds 1 and 2.
StatusOr<ChildOutput> OpenChildOutput();

}  // namespace trail::process
