#include "datafile/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace trail::datafile {

StatusOr<InputFile> InputFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + " does not exist");
    return IoError("cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = IoError("cannot stat " + path + ": " + std::strerror(errno));
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path + " is not a regular file");
  }
  // One pass front to back: let the kernel read ahead aggressively.
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return InputFile(path, fd, static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_dev),
                   static_cast<uint64_t>(st.st_ino));
}

InputFile::InputFile(InputFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(other.fd_),
      size_(other.size_),
      device_(other.device_),
      inode_(other.inode_),
      observer_(std::move(other.observer_)),
      sequential_bytes_(other.sequential_bytes_),
      reached_end_(other.reached_end_) {
  other.fd_ = -1;
}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    size_ = other.size_;
    device_ = other.device_;
    inode_ = other.inode_;
    observer_ = std::move(other.observer_);
    sequential_bytes_ = other.sequential_bytes_;
    reached_end_ = other.reached_end_;
    other.fd_ = -1;
  }
  return *this;
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status InputFile::ReadAt(uint64_t offset, size_t size, std::string* out) const {
  if (offset > size_ || size > size_ - offset) {
    return Corrupt(path_ + ": needs " + std::to_string(size) + " bytes at offset " + std::to_string(offset) +
                   " but the file is " + std::to_string(size_) + " bytes");
  }
  out->resize(size);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd_, out->data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read " + path_ + ": " + std::strerror(errno));
    }
    if (n == 0)
      return Corrupt(path_ + ": file shrank while being read (at offset " + std::to_string(offset + done) + ")");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status InputFile::ReadBlock(std::string* out, size_t block_size) {
  out->resize(block_size);
  size_t done = 0;
  // Fill the whole block unless the file ends, so block boundaries do not depend on how the
  // kernel splits reads (the scanners do not care, but it keeps passes predictable).
  while (done < block_size) {
    ssize_t n = ::read(fd_, out->data() + done, block_size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read " + path_ + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out->resize(done);
  sequential_bytes_ += done;
  if (done < block_size) reached_end_ = true;
  if (observer_ && done > 0) observer_(*out);
  return Status::Ok();
}

StatusOr<std::string_view> WindowReader::View(uint64_t offset, size_t size) {
  if (offset < start_ || offset + size > start_ + buffer_.size()) {
    uint64_t want = std::max<uint64_t>(size, window_);
    want = std::min<uint64_t>(want, file_.size() - std::min(offset, file_.size()));
    if (want < size) want = size;  // ReadAt reports the overrun
    TRAIL_RETURN_IF_ERROR(file_.ReadAt(offset, static_cast<size_t>(want), &buffer_));
    start_ = offset;
  }
  return std::string_view(buffer_).substr(static_cast<size_t>(offset - start_), size);
}

}  // namespace trail::datafile
