// Filesystem helpers with crash-safe semantics.
//
// WriteFileAtomic is the only way trail replaces a file: it writes a temp file
// in the same directory, fsyncs it, renames it over the target and fsyncs the
// directory, so a reader sees either the old or the new content, never a mix,
// even after kill -9 or a power cut.
#pragma once

#include <string>
#include <vector>

#include "base/paths.h"  // JoinPath, for the many callers that include only this header
#include "trail/status.h"

namespace trail {

// A file descriptor closed when it goes out of scope. `fd` is public: a caller that must check
// close() (after writing) closes it itself and sets it to -1.
struct ScopedFd {
  int fd = -1;
  ~ScopedFd();
};

StatusOr<std::string> ReadFile(const std::string& path);

// Temp files that become `path` by rename are named path + kTempInfix + "<pid>-<n>", beside it
// (a rename works within one file system only). The pid lets a later trail tell a dead writer's
// leftovers from a live writer's file; the .gitignore lines trail writes ignore the pattern
// (kTempIgnoreLine); ".tmp-" inside it keeps the store gc's rule for its own temp files matching.
inline constexpr std::string_view kTempInfix = ".trail.tmp-";
inline constexpr std::string_view kTempIgnoreLine = "*.trail.tmp-*";
std::string TempPathFor(const std::string& path);
// True when the file name `name` is such a temp file and its writer is no longer running here.
bool IsDeadWritersTemp(std::string_view name);
Status WriteFileAtomic(const std::string& path, std::string_view content, bool sync = true);
// Writes all of `data` to `fd`, retrying short writes and EINTR; `path` names it in errors.
Status WriteAll(int fd, std::string_view data, const std::string& path);
// Creates `path` and its parents; ok if it already exists as a directory.
Status MakeDirs(const std::string& path);
// Removes a file or a directory tree; ok if it does not exist.
Status RemoveAll(const std::string& path);
bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);
// Names of the entries of a directory (not "." / ".."), unsorted; empty if it does not exist.
std::vector<std::string> ListDirectory(const std::string& path);
std::string CurrentDirectory();
// fsync of a directory so a rename or create inside it is durable.
Status SyncDirectory(const std::string& path);

// Exclusive advisory lock on a lock file (flock), released by the destructor or
// when the process dies: a crashed holder never leaves a stale lock behind.
class FileLock {
 public:
  // Blocks until the lock is held.
  static StatusOr<FileLock> Acquire(const std::string& path);
  // Blocks until a shared lock is held: many shared holders at once, none while someone holds
  // it exclusively (the object store's writers share; its gc excludes them).
  static StatusOr<FileLock> AcquireShared(const std::string& path);
  // Ok with held()==false when someone else holds it. With create=false a
  // missing lock file is NotFound instead of being created: probing a lock
  // must not resurrect a folder its owner is removing.
  static StatusOr<FileLock> TryAcquire(const std::string& path, bool create = true);
  FileLock() = default;  // holds nothing
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  bool held() const { return fd_ >= 0; }
  // The locked descriptor; a child that inherits it keeps the lock alive after we die.
  int fd() const { return fd_; }
  void Release();
  // Closes our descriptor without unlocking: for a forked child, whose copy
  // shares the parent's lock (LOCK_UN on it would release the parent's too).
  void CloseWithoutUnlock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  static StatusOr<FileLock> AcquireMode(const std::string& path, int mode);
  int fd_ = -1;
};

}  // namespace trail
