#include "base/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "base/env.h"
#include "base/errors.h"
#include "base/lock_failure.h"
#include "base/paths.h"

namespace trail {

ScopedFd::~ScopedFd() {
  if (fd >= 0) ::close(fd);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + " does not exist");
    return ErrnoError("cannot open", path);
  }
  std::string out;
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = ErrnoError("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status SyncDirectory(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open directory", path);
  ::fsync(fd);
  ::close(fd);
  return Status::Ok();
}

std::string TempPathFor(const std::string& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return path + std::string(kTempInfix) + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000);
}

bool IsDeadWritersTemp(std::string_view name) {
  const size_t at = name.rfind(kTempInfix);
  if (at == std::string_view::npos) return false;
  std::string_view rest = name.substr(at + kTempInfix.size());
  const size_t dash = rest.find('-');
  const std::string_view digits = rest.substr(0, dash);
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  const pid_t pid = static_cast<pid_t>(std::stol(std::string(digits)));
  // EPERM: alive, someone else's. Only ESRCH says nobody has that pid.
  return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
}

// The one implementation of the rule, over any Env (declared in base/env.h).
Status WriteFileAtomic(Env& env, const std::string& path, std::string_view content, bool sync) {
  const std::string tmp = TempPathFor(path);
  Status s = Status::Ok();
  {
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env.OpenForWrite(tmp, OpenMode::kCreateNew));
    s = file->Append(content);
    if (s.ok() && sync) s = file->Sync();
    if (s.ok()) s = file->Close();
  }
  if (s.ok()) s = env.Rename(tmp, path);
  if (!s.ok()) {
    (void)env.RemoveFile(tmp);
    return s;
  }
  if (sync) return env.SyncDir(DirName(path));
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, std::string_view content, bool sync) {
  return WriteFileAtomic(*Env::Default(), path, content, sync);
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return IoError("cannot create directory " + path + ": " + ec.message());
  return Status::Ok();
}

Status RemoveAll(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return IoError("cannot remove " + path + ": " + ec.message());
  return Status::Ok();
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> ListDirectory(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return names;
  while (struct dirent* e = ::readdir(dir)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  ::closedir(dir);
  return names;
}

std::string CurrentDirectory() {
  std::error_code ec;
  auto p = std::filesystem::current_path(ec);
  return ec ? std::string(".") : p.string();
}

// ---- FileLock -------------------------------------------------------------

Status LockFailure(const std::string& path, int err) {
  std::string message = "cannot lock " + path + ": " + ErrnoMessage(err);
  if (err == ENOSYS || err == ENOLCK || err == EOPNOTSUPP) {
    message +=
        " (this file system gives no flock locks: mount it with them, e.g. Lustre -o flock or NFS with its lock "
        "manager; or, if they are only node-local, mount with -o localflock / local_lock=flock and set "
        "cluster: {locks: node-local} in .trail/config.yaml; see docs/cluster.md)";
  }
  return IoError(message);
}

StatusOr<FileLock> FileLock::Acquire(const std::string& path) { return AcquireMode(path, LOCK_EX); }

StatusOr<FileLock> FileLock::AcquireShared(const std::string& path) { return AcquireMode(path, LOCK_SH); }

StatusOr<FileLock> FileLock::AcquireMode(const std::string& path, int mode) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot open lock file", path);
  while (::flock(fd, mode) != 0) {
    if (errno == EINTR) continue;
    Status s = LockFailure(path, errno);
    ::close(fd);
    return s;
  }
  return FileLock(fd);
}

StatusOr<FileLock> FileLock::TryAcquire(const std::string& path, bool create) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
  if (fd < 0) {
    if (errno == ENOENT && !create) return NotFound(path + " does not exist");
    return ErrnoError("cannot open lock file", path);
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return FileLock(-1);
    return LockFailure(path, err);
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { Release(); }

void FileLock::CloseWithoutUnlock() {
  // close() only drops the flock with the last descriptor of the open file,
  // unlike flock(LOCK_UN), so the parent keeps it.
  Release();
}

void FileLock::Release() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor drops the flock
  fd_ = -1;
}

}  // namespace trail
