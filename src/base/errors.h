// Status values for failed system calls. Each reads errno itself, so call it right after the call
// that failed, before anything else can change errno (a close() in cleanup, a log line).
#pragma once

#include <cerrno>  // errno, which callers pass to ErrnoMessage
#include <string>

#include "trail/status.h"

namespace trail {

// The text of an errno value, as strerror() gives it ("No such file or directory"), but
// thread-safe.
std::string ErrnoMessage(int err);

// IoError "<what>: <message of errno>", as in "cannot create pipe: Too many open files".
Status ErrnoError(const std::string& what);

// IoError "<what> <path>: <message of errno>", as in "cannot open /x: No such file or directory".
Status ErrnoError(const std::string& what, const std::string& path);

}  // namespace trail
