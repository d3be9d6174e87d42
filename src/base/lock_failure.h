// How a failed flock(2) is reported (FileLock, files.h).
#pragma once

#include <string>

#include "trail/status.h"

namespace trail {

// The error for flock(2) on `path` failing with `err`. Where the file system has no flock at all
// (ENOSYS: Lustre mounted noflock; ENOLCK: NFS without a lock manager; EOPNOTSUPP) it says so and
// what to do, rather than trail going on unlocked (docs/cluster.md).
Status LockFailure(const std::string& path, int err);

}  // namespace trail
