// The real Env: POSIX calls on the real file system, the system clock.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/env.h"

namespace trail {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  return IoError(what + " " + path + ": " + std::strerror(err));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override { return WriteAll(fd_, data, path_); }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return ErrnoStatus("cannot sync", path_, errno);
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return ErrnoStatus("cannot close", path_, errno);
    return Status::Ok();
  }

 private:
  int fd_;
  std::string path_;
};

class PosixEnv final : public Env {
 public:
  StatusOr<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path, OpenMode mode) override {
    int flags = O_WRONLY | O_CLOEXEC;
    switch (mode) {
      case OpenMode::kCreateNew:
        flags |= O_CREAT | O_EXCL;
        break;
      case OpenMode::kTruncate:
        flags |= O_CREAT | O_TRUNC;
        break;
      case OpenMode::kAppend:
        flags |= O_CREAT | O_APPEND;
        break;
      case OpenMode::kOverwrite:
        break;
    }
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) {
      const int err = errno;
      if (err == EEXIST) return AlreadyExists(path + " already exists");
      if (err == ENOENT && mode == OpenMode::kOverwrite) return NotFound(path + " does not exist");
      return ErrnoStatus("cannot create", path, err);
    }
    return std::unique_ptr<WritableFile>(new PosixWritableFile(fd, path));
  }

  StatusOr<std::string> ReadFile(const std::string& path) override { return trail::ReadFile(path); }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      const int err = errno;
      if (err == ENOENT) return NotFound(from + " does not exist");
      return ErrnoStatus("cannot rename " + from + " onto", to, err);
    }
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) {
      const int err = errno;
      if (err == ENOENT) return NotFound(path + " does not exist");
      return ErrnoStatus("cannot remove", path, err);
    }
    return Status::Ok();
  }

  Status RemoveAll(const std::string& path) override { return trail::RemoveAll(path); }
  Status MakeDirs(const std::string& path) override { return trail::MakeDirs(path); }
  Status SyncDir(const std::string& path) override { return SyncDirectory(path); }
  std::vector<std::string> ListDir(const std::string& path) override { return ListDirectory(path); }
  bool Exists(const std::string& path) override { return PathExists(path); }
  bool IsDir(const std::string& path) override { return IsDirectory(path); }

  StatusOr<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return NotFound(path + " does not exist");
      return ErrnoStatus("cannot stat", path, errno);
    }
    return static_cast<uint64_t>(st.st_size);
  }

  StatusOr<double> ModifiedTime(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return NotFound(path + " does not exist");
      return ErrnoStatus("cannot stat", path, errno);
    }
    return static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
  }

  StatusOr<FileLock> Lock(const std::string& path, LockMode mode) override {
    return mode == LockMode::kShared ? FileLock::AcquireShared(path) : FileLock::Acquire(path);
  }
  StatusOr<FileLock> TryLock(const std::string& path, bool create) override {
    return FileLock::TryAcquire(path, create);
  }

  double NowUnixSeconds() override {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
  }
  uint64_t NowMicros() override {
    using namespace std::chrono;
    return static_cast<uint64_t>(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
  }
};

}  // namespace

Env* Env::Default() {
  // Never destroyed: code running in static destructors or detached threads may still use it.
  static Env* const env = new PosixEnv();
  return env;
}

}  // namespace trail
