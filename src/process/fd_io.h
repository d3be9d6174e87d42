// Small descriptor helpers shared by the spawning and relaying code.
#pragma once

#include <cstddef>
#include <string>

#include "trail/status.h"

namespace trail::process {

// Writes all `size` bytes, retrying partial writes and EINTR, and waiting with
// poll() when `fd` is non-blocking (EAGAIN). Returns 0 or the errno that
// stopped it (EPIPE when the reader went away).
int WriteFully(int fd, const char* data, size_t size);

Status SetNonBlocking(int fd);

// Thread-safe strerror().
std::string ErrnoMessage(int err);

// "<what>: <strerror(errno)>" as an IoError; reads errno itself.
Status ErrnoStatus(const std::string& what);

}  // namespace trail::process
