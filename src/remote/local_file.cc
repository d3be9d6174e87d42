#include "remote/local_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "base/errors.h"
#include "base/files.h"

namespace trail::remote {
bool IsTempName(std::string_view name) { return name.find(kTempMarker) != std::string_view::npos; }

StatusOr<AtomicFile> AtomicFile::Create(const std::string& path, bool make_parents) {
  if (make_parents) TRAIL_RETURN_IF_ERROR(MakeDirs(DirName(path)));
  std::string temp = path + std::string(kTempMarker) + "XXXXXX";
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot create", temp);
  ::fchmod(fd, 0644);  // mkstemp makes 0600; stored files are as readable as any other
  return AtomicFile(path, std::move(temp), fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::move(other.temp_)), fd_(other.fd_) {
  other.fd_ = -1;
  other.temp_.clear();
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

Status AtomicFile::Truncate() {
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0) return ErrnoError("cannot truncate", temp_);
  return Status::Ok();
}

Status AtomicFile::Commit() {
  if (::fsync(fd_) != 0) return ErrnoError("cannot sync", temp_);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return ErrnoError("cannot close", temp_);
  if (::rename(temp_.c_str(), path_.c_str()) != 0) return ErrnoError("cannot rename onto", path_);
  temp_.clear();
  return SyncDirectory(DirName(path_));
}

Status CopyFile(int in, const std::string& in_path, int out, const std::string& out_path, const ProgressFn& progress) {
  auto buf = std::make_unique<char[]>(kCopyChunk);
  uint64_t done = 0;
  for (;;) {
    ssize_t n = ::pread(in, buf.get(), kCopyChunk, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot read", in_path);
    }
    if (n == 0) return Status::Ok();
    TRAIL_RETURN_IF_ERROR(WriteAll(out, std::string_view(buf.get(), static_cast<size_t>(n)), out_path));
    done += static_cast<uint64_t>(n);
    if (progress) progress(done);
  }
}

}  // namespace trail::remote
