#include "base/errors.h"

#include <errno.h>

#include <system_error>

namespace trail {

std::string ErrnoMessage(int err) { return std::system_category().message(err); }

Status ErrnoError(const std::string& what) {
  const int err = errno;
  return IoError(what + ": " + ErrnoMessage(err));
}

Status ErrnoError(const std::string& what, const std::string& path) {
  const int err = errno;
  return IoError(what + " " + path + ": " + ErrnoMessage(err));
}

}  // namespace trail
