#include "datafile/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/files.h"
#include "base/paths.h"

namespace trail::datafile {
namespace {

constexpr size_t kBufferSize = 1 << 20;

}  // namespace

StatusOr<OutputFile> OutputFile::Create(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) return OutputFile(path, temp, fd);
    if (errno != EEXIST) return IoError("cannot create " + temp + ": " + std::strerror(errno));
  }
  return IoError("cannot create a temporary file beside " + path);
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)), temp_(std::move(other.temp_)), fd_(other.fd_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
  other.temp_.clear();
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

Status OutputFile::Flush() {
  TRAIL_RETURN_IF_ERROR(WriteAll(fd_, buffer_, temp_));
  buffer_.clear();
  return Status::Ok();
}

Status OutputFile::Append(std::string_view bytes) {
  if (fd_ < 0) return Internal("append to a closed snapshot file " + path_);
  buffer_.append(bytes);
  if (buffer_.size() >= kBufferSize) return Flush();
  return Status::Ok();
}

Status OutputFile::Commit() {
  if (fd_ < 0) return Internal("commit of a closed snapshot file " + path_);
  TRAIL_RETURN_IF_ERROR(Flush());
  if (::fsync(fd_) != 0) return IoError("cannot sync " + temp_ + ": " + std::strerror(errno));
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return IoError("cannot close " + temp_ + ": " + std::strerror(errno));
  if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
    return IoError("cannot rename " + temp_ + " to " + path_ + ": " + std::strerror(errno));
  }
  temp_.clear();
  return SyncDirectory(DirName(path_));
}

}  // namespace trail::datafile
