#include "ingest/appended_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.h"

namespace trail::ingest {

AppendedFile::~AppendedFile() {
  if (fd_ >= 0) ::close(fd_);
}

StatusOr<bool> AppendedFile::EnsureOpen() {
  if (fd_ >= 0) return true;
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ >= 0) return true;
  if (errno == ENOENT) return false;
  return ErrnoError("cannot open", path_);
}

StatusOr<size_t> AppendedFile::ReadAt(uint64_t offset, char* dst, size_t max) {
  TRAIL_ASSIGN_OR_RETURN(bool open, EnsureOpen());
  if (!open) return size_t{0};
  for (;;) {
    ssize_t n = ::pread(fd_, dst, max, static_cast<off_t>(offset));
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return ErrnoError("cannot read", path_);
  }
}

StatusOr<uint64_t> AppendedFile::Size() {
  TRAIL_ASSIGN_OR_RETURN(bool open, EnsureOpen());
  if (!open) return uint64_t{0};
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoError("cannot stat", path_);
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace trail::ingest
