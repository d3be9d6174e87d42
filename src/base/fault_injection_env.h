// FaultInjectionEnv: wraps another Env (normally the POSIX one over a temporary folder) and
// plays the two ways a writer dies without warning, after leveldb's FaultInjectionTestEnv:
//  - a power cut: DropUnsyncedData() puts every path written through this Env back to what
//    the disk is guaranteed to hold, i.e. the bytes a file had at its last Sync, and the names
//    (created, renamed, removed files and folders) as they were at the last SyncDir of their
//    folder;
//  - a failing call: FailAfter(n) makes every call after the n-th fail and do nothing (the
//    process died there: nothing it tries later reaches the disk), FailMatching(pred, ENOSPC)
//    makes chosen calls fail (a full disk).
// Counted calls are those that return a Status, WritableFile's included; queries that cannot
// fail (Exists, IsDir, ListDir) and the clock are not counted and never fail.
//
// It keeps a copy of every file it tracks (those touched through it, and everything below a
// folder it renames or removes) in memory: meant for tests over small trees.
//
// What is not modelled: data a file had before this Env first saw it counts as durable, and
// so do files other code writes beside ours without going through this Env (libgit2, SQLite,
// the object store), which survive a DropUnsyncedData as they are.
#pragma once

#include <cerrno>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "base/env.h"

namespace trail {

class FaultInjectionEnv final : public Env {
 public:
  // `base` must outlive this Env.
  explicit FaultInjectionEnv(Env* base) : base_(base) {}

  struct Call {
    uint64_t index;  // 1 for the first counted call
    std::string op;  // "open", "append", "sync", "close", "read", "rename", "remove",
                     // "remove_all", "make_dirs", "sync_dir", "size", "mtime", "lock"
    std::string path;
  };

  // Every counted call after the first `n` fails with `err` and changes nothing.
  void FailAfter(uint64_t n, int err = EIO);
  // Each counted call for which `pred` is true fails with `err`; the others go through.
  void FailMatching(std::function<bool(const Call&)> pred, int err);
  void ClearFailures();
  // Counted calls so far, failed ones included.
  uint64_t calls() const;
  // A fixed clock (NowUnixSeconds, NowMicros) instead of the base Env's.
  void SetTime(double unix_seconds);

  // The power cut: see the top of this file. Afterwards everything on disk counts as durable
  // and files still open through this Env refuse further writes.
  Status DropUnsyncedData();

  StatusOr<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path, OpenMode mode) override;
  StatusOr<std::string> ReadFile(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status MakeDirs(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  std::vector<std::string> ListDir(const std::string& path) override { return base_->ListDir(path); }
  bool Exists(const std::string& path) override { return base_->Exists(path); }
  bool IsDir(const std::string& path) override { return base_->IsDir(path); }
  StatusOr<uint64_t> FileSize(const std::string& path) override;
  StatusOr<double> ModifiedTime(const std::string& path) override;
  StatusOr<FileLock> Lock(const std::string& path, LockMode mode) override;
  StatusOr<FileLock> TryLock(const std::string& path, bool create) override;
  double NowUnixSeconds() override;
  uint64_t NowMicros() override;

 private:
  friend class FaultWritableFile;

  // What a name leads to: a file's bytes as written and as last synced, or a folder.
  struct Node {
    bool dir = false;
    std::string data;
    std::string synced;
  };
  static constexpr int kAbsent = 0;

  // Counts a call; the error it must fail with, if any. Takes mu_.
  std::optional<Status> Injected(const char* op, const std::string& path);
  // The rest run with mu_ held.
  void TrackLocked(const std::string& path);
  void TrackTreeLocked(const std::string& path);
  int NewNodeLocked(bool dir);
  void SetNameLocked(const std::string& path, int node, const std::string& folder);
  bool DurablyPresentLocked(const std::string& path) const;

  Env* const base_;
  mutable std::mutex mu_;
  uint64_t calls_ = 0;
  std::optional<uint64_t> fail_after_;
  int fail_after_err_ = EIO;
  std::function<bool(const Call&)> fail_pred_;
  int fail_pred_err_ = EIO;
  std::optional<double> time_;

  std::map<int, Node> nodes_;
  int next_node_ = 1;
  uint64_t generation_ = 0;             // bumped by DropUnsyncedData: older open files are dead
  std::map<std::string, int> now_;      // tracked path -> node it leads to now
  std::map<std::string, int> durable_;  // tracked path -> node it leads to after a power cut
  // Tracked path -> folders that must be synced before its current name is durable.
  std::map<std::string, std::set<std::string>> pending_;
};

}  // namespace trail
