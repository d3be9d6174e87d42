// OutputRelay: a helper process that carries the child's output to our fds 1
// and 2, so that the training survives its recorder.
//
// If trail itself read the child's pty or pipe, a kill -9 of trail would
// leave the child writing into a pipe nobody reads (SIGPIPE) or a pty whose
// master is gone (EIO): the training would die with its recorder. Instead a
// relay process, forked before the child, owns the pty masters and pipe read
// ends. It copies every byte to our fd 1 or 2 unchanged, then sends trail a
// copy through a pipe of its own. When trail goes away the relay stops
// sending copies and keeps passing the output through until the child (and
// any grandchild) closes its end; then it exits. When trail is done with the
// child normally, it tells the relay to stop (RelayedOutput::stop).
//
// The relay ignores the signals a terminal or a kill of the process group
// would send (SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE, SIGUSR1/2): Ctrl-C
// reaches the child directly, and the relay must outlive it to pass on what
// it prints while it stops. It is orphaned at once (double fork), so nobody
// has to reap it. It holds no descriptor but the ones it copies between.
#pragma once

#include <vector>

#include "process/child_output.h"
#include "process/unique_fd.h"
#include "trail/status.h"

namespace trail::process {

struct RelayedOutput {
  // What trail reads: one pipe per stream, carrying a copy of everything the
  // relay passed on. relay_to is -1 (already written) and is_pty false.
  std::vector<OutputStream> copies;
  // Send one byte here (MSG_NOSIGNAL) when done with the child: the relay exits at once
  // instead of waiting for a background grandchild to close the output
  // (what a reader of trail's stdout would otherwise wait for). If trail
  // dies instead, the relay sees EOF here and carries on alone.
  UniqueFd stop;
};

// Starts the relay over `streams` (from OpenChildOutput). The read ends stay
// open in the caller too: pty masters are still needed for window sizes; close
// the rest. Call it before forking the child and before installing signal
// handlers, so the relay starts with trail's original dispositions.
StatusOr<RelayedOutput> StartOutputRelay(const std::vector<OutputStream>& streams);

}  // namespace trail::process
