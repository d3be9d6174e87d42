// Local-file plumbing that both backends need: a file that appears atomically under its final
// name, and streamed copies with progress.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "remote/backend.h"
#include "trail/status.h"

namespace trail::remote {

// Marks the temp files this layer writes; List skips them and CheckName refuses names with it,
// so a half-written file is never mistaken for a stored one.
inline constexpr std::string_view kTempMarker = ".trail-tmp-";
bool IsTempName(std::string_view name);

// A temp file beside `path` that becomes `path` on Commit (fsync, rename, fsync of the
// directory): readers see the old file or the whole new one. Dropped without Commit, the temp
// file is removed, so a failed transfer leaves nothing behind.
class AtomicFile {
 public:
  // Creates the temp file, and the missing parent directories when make_parents.
  static StatusOr<AtomicFile> Create(const std::string& path, bool make_parents);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  int fd() const { return fd_; }
  // Empties the temp file so a retried download starts over.
  Status Truncate();
  Status Commit();

 private:
  AtomicFile(std::string path, std::string temp, int fd) : path_(std::move(path)), temp_(std::move(temp)), fd_(fd) {}
  std::string path_, temp_;
  int fd_ = -1;
};

// Copies `in` from offset 0 to its end into `out`, calling progress with the running total.
Status CopyFile(int in, const std::string& in_path, int out, const std::string& out_path, const ProgressFn& progress);

// Reads files in chunks of this size: large enough that per-call overhead vanishes for 64 MiB
// packs, small enough to stay off the heap's mmap threshold churn.
inline constexpr size_t kCopyChunk = 1 << 20;

}  // namespace trail::remote
