// Read-only access to a data file: sequential blocks for one streaming pass, and reads at an
// offset for the formats whose facts sit at known places (a Parquet footer, a zip directory).
//
// Nothing here maps or loads the whole file: a dataset may be far larger than memory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "trail/status.h"

namespace trail::datafile {

// Block size of streaming passes: large enough that syscalls cost nothing next to the scan,
// small enough to stay in L2/L3-friendly territory and bound memory.
constexpr size_t kStreamBlockSize = 4 << 20;

class InputFile {
 public:
  static StatusOr<InputFile> Open(const std::string& path);
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  // Device and inode, to tell whether two paths name the same file.
  uint64_t device() const { return device_; }
  uint64_t inode() const { return inode_; }

  // Reads exactly `size` bytes at `offset` into `out` (replacing its content). Reading past the
  // end is a Corrupt error naming the offset: callers ask only for bytes the format promises.
  Status ReadAt(uint64_t offset, size_t size, std::string* out) const;
  // Reads the next block of a sequential pass into `out`; an empty block means end of file.
  Status ReadBlock(std::string* out, size_t block_size = kStreamBlockSize);

  // Hands every block ReadBlock returns, in order, to `observer` as well: a caller can hash the
  // file in the pass that parses it instead of reading it twice (a 10 GB data set is rarely all
  // in the page cache). observed_whole_file() says whether those blocks covered the whole file.
  void ObserveBlocks(std::function<void(std::string_view)> observer) { observer_ = std::move(observer); }
  bool observed_whole_file() const { return observer_ && reached_end_ && sequential_bytes_ == size_; }

 private:
  InputFile(std::string path, int fd, uint64_t size, uint64_t device, uint64_t inode)
      : path_(std::move(path)), fd_(fd), size_(size), device_(device), inode_(inode) {}

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t device_ = 0;
  uint64_t inode_ = 0;
  std::function<void(std::string_view)> observer_;
  uint64_t sequential_bytes_ = 0;  // returned by ReadBlock so far
  bool reached_end_ = false;
};

// A window over an InputFile for formats that hop from one small header to the next (TFRecord):
// headers that fall inside the cached window cost no syscall, and data between them is skipped
// by seeking rather than read.
class WindowReader {
 public:
  explicit WindowReader(const InputFile& file, size_t window = 1 << 20) : file_(file), window_(window) {}
  // The `size` bytes at `offset`; the view lives until the next call. The caller has checked
  // that offset + size <= file size.
  StatusOr<std::string_view> View(uint64_t offset, size_t size);

 private:
  const InputFile& file_;
  size_t window_;
  uint64_t start_ = 0;
  std::string buffer_;
};

}  // namespace trail::datafile
