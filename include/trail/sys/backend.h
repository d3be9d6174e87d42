// For storage-backend authors (as libgit2's git2/sys/): the interface a remote store implements.
//
// Where a store's files live on the other side of `trail push` / `trail pull`: a narrow
// interface over named, immutable files (restic's backend idea), so the sync logic above it
// never knows whether it talks to a folder on an NFS mount or to an S3 bucket.
//
// Names are relative, '/'-separated paths such as "index/<pack id>.idx" or
// "packs/ab/<pack id>.pack". Every backend passes the same test suite (src/remote/backend_suite.h).
//
// Thread safety: one Backend may be used from several threads at once (push and pull move
// several packs in parallel).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trail/status.h"

namespace trail::remote {

struct ObjectInfo {
  std::string name;  // relative to the backend's root, as passed to Save
  uint64_t size = 0;
};

// Called with the bytes moved so far for one transfer; may be called from worker threads.
using ProgressFn = std::function<void(uint64_t bytes_done)>;

class Backend {
 public:
  virtual ~Backend() = default;

  // The URL it was opened from, for messages ("s3://bucket/prefix", "/mnt/nfs/store").
  virtual std::string Describe() const = 0;

  // Stores `bytes` under `name`, atomically: readers see the whole file or nothing, never a
  // prefix (folder: temp file + fsync + rename; S3: a PUT is atomic). Overwrites.
  virtual Status Save(const std::string& name, std::string_view bytes) = 0;
  // The same from a local file, streamed (no whole-file buffer), with progress.
  virtual Status SaveFile(const std::string& name, const std::string& local_path, const ProgressFn& progress = {}) = 0;

  // `length` bytes from `offset`; length 0 means to the end. NotFound when absent.
  virtual StatusOr<std::string> Load(const std::string& name, uint64_t offset = 0, uint64_t length = 0) = 0;
  // The whole file into `local_path`, streamed, atomically (temp file + fsync + rename).
  virtual Status LoadFile(const std::string& name, const std::string& local_path, const ProgressFn& progress = {}) = 0;

  // The size, or nullopt when absent.
  virtual StatusOr<std::optional<uint64_t>> Stat(const std::string& name) = 0;
  // Every file whose name starts with `prefix` (recursively), in name order.
  virtual StatusOr<std::vector<ObjectInfo>> List(const std::string& prefix) = 0;
  // Deleting an absent file is not an error.
  virtual Status Remove(const std::string& name) = 0;
  // Removes what transfers that died (kill -9, a lost machine) left behind and nobody has
  // written for `min_age_s` seconds: old enough that no live writer, on any machine sharing the
  // backend, can still be using it. Best effort. A backend whose writes leave nothing behind
  // when they die (an S3 PUT) has nothing to do.
  virtual Status RemoveAbandonedTemps(int64_t min_age_s) {
    (void)min_age_s;
    return Status::Ok();
  }
};

// Ok when `name` is a valid file name for a backend: non-empty, relative, '/'-separated
// segments none of which is empty, "." or "..", no NUL, and not one of this layer's temp names.
// Every backend checks names with it, so a name valid for one is valid for all.
Status CheckName(const std::string& name);

// Opens a backend from a remote's URL:
//   /abs/path, file:///abs/path        a local or shared (NFS) folder
//   s3://bucket[/prefix]               S3 or an S3-compatible server
// S3 settings come from the usual AWS places: AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3),
// AWS_REGION / AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN, AWS_PROFILE, and ~/.aws/credentials and ~/.aws/config (or
// AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE). InvalidArgument names what is wrong.
StatusOr<std::unique_ptr<Backend>> OpenBackend(const std::string& url);

}  // namespace trail::remote
