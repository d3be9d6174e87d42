// RunShellCapture: runs a short shell command and returns what it printed,
// for custom context fields (`context: custom: {x: {command: ...}}`).
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "trail/status.h"

namespace trail::process {

struct CaptureRequest {
  std::string command;  // run as /bin/sh -c COMMAND
  std::string cwd;      // empty: inherit ours
  std::chrono::milliseconds timeout{2000};
  size_t max_bytes = 64 * 1024;  // stdout beyond this is dropped
};

struct Captured {
  std::string out;  // stdout, trailing newlines removed
  int exit_code = 0;
};

// Runs the command in its own process group with stdin from /dev/null and
// stderr discarded; the environment is ours. On timeout the whole group is
// killed (SIGKILL), so a command that forks cannot outlive the call, and the
// result is DeadlineExceeded "timed out after 2 s". A command that exits
// non-zero is an error naming the code and the first line of its stderr.
StatusOr<Captured> RunShellCapture(const CaptureRequest& request);

}  // namespace trail::process
