// Env: the outside world as trail's writers see it (files, locks, the clock), behind one
// interface so that tests can replace it. Abstract so it can be mocked out: the POSIX Env is
// the real one, MemEnv keeps files in memory, FaultInjectionEnv wraps another Env, drops what
// was never synced and fails chosen calls (a kill -9, a power cut, a full disk).
//
// The project holds one (Project::env()) and the code that writes a project's local state
// (the live run folders, tracked data's caches and pointer files, gc's deletions) goes through
// it. Libgit2, SQLite and the object store still write to the real disk themselves; a test
// that needs them wraps the POSIX Env over a real temporary folder.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/files.h"
#include "trail/status.h"

namespace trail {

// A file open for writing. What Append wrote is durable only once Sync returned ok, and a new
// name (a created or renamed file) only once its folder was synced (Env::SyncDir).
class WritableFile {
 public:
  virtual ~WritableFile() = default;  // closes without syncing; Close reports errors
  virtual Status Append(std::string_view data) = 0;
  // fdatasync: the bytes appended so far survive a crash or a power cut.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

enum class OpenMode {
  kCreateNew,  // a file that must not exist yet (AlreadyExists if it does): temp files
  kTruncate,   // created, or emptied if it exists
  kAppend,     // created, or written after its last byte
  kOverwrite,  // an existing file written from its first byte without truncating (NotFound
               // if it is missing): space reserved earlier, so writing allocates nothing
};

enum class LockMode { kExclusive, kShared };

class Env {
 public:
  virtual ~Env() = default;

  // The POSIX Env: the real file system and clock. The result of Default() belongs to trail
  // and must never be deleted; it lives as long as the program.
  static Env* Default();

  // ---- files -------------------------------------------------------------------------------
  virtual StatusOr<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path, OpenMode mode) = 0;
  // The whole file; NotFound when it does not exist.
  virtual StatusOr<std::string> ReadFile(const std::string& path) = 0;
  // rename(2): atomic, replaces `to` if it exists; files or folders.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Removes one file; NotFound when it does not exist.
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes a file or a folder with everything in it; ok if it does not exist.
  virtual Status RemoveAll(const std::string& path) = 0;
  // Creates `path` and its parents; ok if it already exists as a folder.
  virtual Status MakeDirs(const std::string& path) = 0;
  // fsync of a folder: the creates, renames and removes inside it become durable.
  virtual Status SyncDir(const std::string& path) = 0;
  // Names of a folder's entries (not "." / ".."), unsorted; empty if it does not exist.
  virtual std::vector<std::string> ListDir(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  virtual bool IsDir(const std::string& path) = 0;
  virtual StatusOr<uint64_t> FileSize(const std::string& path) = 0;
  // Last modification, unix seconds.
  virtual StatusOr<double> ModifiedTime(const std::string& path) = 0;

  // ---- locks (FileLock's contracts, base/files.h) --------------------------------------------
  // Blocks until held; creates the lock file.
  virtual StatusOr<FileLock> Lock(const std::string& path, LockMode mode) = 0;
  // Ok with held()==false when someone else holds it; with create=false a missing lock file
  // is NotFound.
  virtual StatusOr<FileLock> TryLock(const std::string& path, bool create) = 0;

  // ---- the clock -----------------------------------------------------------------------------
  // Wall-clock time as records hold it (started, ended): unix seconds.
  virtual double NowUnixSeconds() = 0;
  // Microseconds since the epoch, for durations and ordering.
  virtual uint64_t NowMicros() = 0;
};

// The only way trail replaces a file: `content` goes to a temp file beside `path` (TempPathFor),
// which is synced, renamed over `path`, and the folder synced, so after a crash or a power cut
// `path` holds either the old or the new content, never a mix. sync=false skips both syncs,
// for files that other state can rebuild (still never a mix after a crash of trail alone).
// On failure the temp file is removed (as far as the Env still lets us).
Status WriteFileAtomic(Env& env, const std::string& path, std::string_view content, bool sync = true);

}  // namespace trail
