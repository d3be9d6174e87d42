#include "model/random_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "base/errors.h"
#include "model/model_file.h"

namespace trail::model {

RandomFile::~RandomFile() {
  if (fd_ >= 0) ::close(fd_);
}

RandomFile::RandomFile(RandomFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_), path_(std::move(other.path_)) {}

RandomFile& RandomFile::operator=(RandomFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    path_ = std::move(other.path_);
  }
  return *this;
}

StatusOr<RandomFile> RandomFile::Open(const std::string& path, bool follow_symlinks) {
  const int flags = O_RDONLY | O_CLOEXEC | (follow_symlinks ? 0 : O_NOFOLLOW);
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return NotFound(path + ": no such file");
    if (err == ELOOP) return InvalidArgument(path + ": is a symbolic link; trail does not follow links in a model");
    return IoError(path + ": " + ErrnoMessage(err));
  }
  RandomFile file;
  file.fd_ = fd;
  file.path_ = path;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return IoError(path + ": " + ErrnoMessage(errno));
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path + ": not a regular file");
  file.size_ = static_cast<uint64_t>(st.st_size);
  return file;
}

Status RandomFile::ReadAt(uint64_t offset, size_t n, std::string* out) const {
  if (offset > size_ || n > size_ - offset) {
    return Corrupt(path_ + ": truncated (wanted " + std::to_string(n) + " bytes at " + std::to_string(offset) +
                   ", file has " + std::to_string(size_) + ")");
  }
  out->resize(n);
  return ReadAt(offset, n, out->data());
}

Status RandomFile::ReadAt(uint64_t offset, size_t n, char* out) const {
  if (offset > size_ || n > size_ - offset) {
    return Corrupt(path_ + ": truncated (wanted " + std::to_string(n) + " bytes at " + std::to_string(offset) +
                   ", file has " + std::to_string(size_) + ")");
  }
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return IoError(path_ + ": " + ErrnoMessage(errno));
    }
    if (got == 0) return Corrupt(path_ + ": truncated (the file shrank while being read)");
    done += static_cast<size_t>(got);
  }
  return Status::Ok();
}

namespace {

void SwapElements(char* data, size_t bytes, size_t width) {
  for (size_t i = 0; i + width <= bytes; i += width) std::reverse(data + i, data + i + width);
}

class RangeStream : public ValueStream {
 public:
  RangeStream(const RandomFile* file, uint64_t offset, uint64_t length, size_t swap)
      : file_(file), next_(offset), left_(length), swap_(swap) {}

  StatusOr<size_t> Read(char* buf, size_t capacity) override {
    size_t n = static_cast<size_t>(std::min<uint64_t>(capacity, left_));
    if (swap_ > 1) n -= n % swap_;  // whole elements, so each can be swapped
    if (n == 0) return size_t{0};
    TRAIL_RETURN_IF_ERROR(file_->ReadAt(next_, n, buf));
    if (swap_ > 1) SwapElements(buf, n, swap_);
    next_ += n;
    left_ -= n;
    return n;
  }

 private:
  const RandomFile* file_;
  uint64_t next_;
  uint64_t left_;
  size_t swap_;
};

}  // namespace

std::unique_ptr<ValueStream> MakeRangeStream(const RandomFile* file, uint64_t offset, uint64_t length,
                                             size_t byte_swap_width) {
  return std::make_unique<RangeStream>(file, offset, length, byte_swap_width);
}

}  // namespace trail::model
