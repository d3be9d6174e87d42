// MemEnv: an Env whose files live in memory, for fast unit tests of code that only reads and
// writes files. Everything is durable at once (there is no crash to survive; wrap it in a
// FaultInjectionEnv for that). Folders exist implicitly above every file and explicitly after
// MakeDirs. There are no locks (Lock and TryLock fail: they need a kernel), and the clock is
// fixed until the test moves it. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "base/env.h"

namespace trail {

class MemEnv final : public Env {
 public:
  explicit MemEnv(double now_unix_seconds = 1.7e9) : now_(now_unix_seconds) {}

  StatusOr<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path, OpenMode mode) override;
  StatusOr<std::string> ReadFile(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status MakeDirs(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  std::vector<std::string> ListDir(const std::string& path) override;
  bool Exists(const std::string& path) override;
  bool IsDir(const std::string& path) override;
  StatusOr<uint64_t> FileSize(const std::string& path) override;
  StatusOr<double> ModifiedTime(const std::string& path) override;
  StatusOr<FileLock> Lock(const std::string& path, LockMode mode) override;
  StatusOr<FileLock> TryLock(const std::string& path, bool create) override;
  double NowUnixSeconds() override;
  uint64_t NowMicros() override;

  void SetTime(double unix_seconds);
  void AdvanceTime(double seconds);

 private:
  friend class MemWritableFile;
  struct File {
    std::string data;
    double mtime = 0;
  };
  // Writes at `offset` (nullopt: the end) of the file at `path` as it is now (a file renamed
  // or removed while open keeps its writes only if the name still leads to it: good enough
  // for tests).
  Status WriteAt(const std::string& path, std::optional<size_t> offset, std::string_view data);
  bool IsDirLocked(const std::string& path) const;

  mutable std::mutex mu_;
  std::map<std::string, File> files_;
  std::set<std::string> dirs_;
  double now_;
};

}  // namespace trail
