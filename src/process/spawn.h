// Spawn: fork() and exec() a child with its output redirected, reporting
// exec failures as a Status.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "process/exec_plan.h"
#include "process/signal_forwarder.h"
#include "process/unique_fd.h"
#include "trail/status.h"

namespace trail::process {

struct SpawnRequest {
  const ExecPlan* plan = nullptr;
  std::string cwd;                     // empty: inherit ours
  std::vector<int> keep_fds;           // left open across exec; all must be >= 3
  int child_stdout = -1;               // becomes the child's fd 1
  int child_stderr = -1;               // becomes the child's fd 2 (may equal child_stdout)
  SignalForwarder* signals = nullptr;  // installed; gets the child as its target
};

struct Spawned {
  pid_t pid = -1;
  UniqueFd pidfd;  // invalid on kernels without pidfd_open()
};

// Returns once the child has exec()ed. If it could not (missing program, bad
// cwd, ...), the child is reaped and the reason comes back as a Status, e.g.
// NotFound("cannot run 'foo': No such file or directory"); the reason travels
// from the child over a close-on-exec pipe, whose EOF also signals success.
StatusOr<Spawned> Spawn(const SpawnRequest& request);

}  // namespace trail::process
