// Small descriptor helpers shared by the spawning and relaying code.
#pragma once

#include <cstddef>
#include <string>

#include "base/errors.h"  // ErrnoError, ErrnoMessage: every user of this header reports errno
#include "trail/status.h"

namespace trail::process {

// Writes all `size` bytes, retrying partial writes and EINTR, and waiting with
// poll() when `fd` is non-blocking (EAGAIN). Returns 0 or the errno that
// stopped it (EPIPE when the reader went away).
int WriteFully(int fd, const char* data, size_t size);

Status SetNonBlocking(int fd);

}  // namespace trail::process
