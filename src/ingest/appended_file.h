// A file that another process appends to, read from wherever the last read stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "trail/status.h"

namespace trail::ingest {

// Opens the file on first use, so a file that does not exist yet is not an error: it reads as
// empty until the writer creates it. Keeps the descriptor open between reads, so a writer that
// renames or deletes the file does not make us lose our place. Not thread-safe.
class AppendedFile {
 public:
  explicit AppendedFile(std::string path) : path_(std::move(path)) {}
  AppendedFile(const AppendedFile&) = delete;
  AppendedFile& operator=(const AppendedFile&) = delete;
  ~AppendedFile();

  // Reads up to `max` bytes at `offset` into `dst`; 0 at the end of the file or while it does
  // not exist. Errors are the OS refusing to open or read.
  StatusOr<size_t> ReadAt(uint64_t offset, char* dst, size_t max);
  // The current size; 0 while the file does not exist.
  StatusOr<uint64_t> Size();

  const std::string& path() const { return path_; }

 private:
  StatusOr<bool> EnsureOpen();

  std::string path_;
  int fd_ = -1;
};

}  // namespace trail::ingest
