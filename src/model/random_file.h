// A file read at offsets (pread) through the caller's buffers: what every model reader uses so
// that no read goes past the end it measured at open and nothing is mapped or slurped whole.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "trail/status.h"

namespace trail::model {

class RandomFile {
 public:
  RandomFile() = default;
  ~RandomFile();
  RandomFile(RandomFile&& other) noexcept;
  RandomFile& operator=(RandomFile&& other) noexcept;
  RandomFile(const RandomFile&) = delete;
  RandomFile& operator=(const RandomFile&) = delete;

  // Opens a regular file for reading. With `follow_symlinks` false a symlink is refused
  // (InvalidArgument): for the files inside a model folder, which an attacker may have made links.
  static StatusOr<RandomFile> Open(const std::string& path, bool follow_symlinks = true);

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

  // Reads exactly `n` bytes at `offset` into `out` (resized to n). A range past the end is
  // Corrupt "PATH: truncated (wanted N bytes at OFFSET, file has SIZE)": check sizes against
  // size() before allocating for them.
  Status ReadAt(uint64_t offset, size_t n, std::string* out) const;
  Status ReadAt(uint64_t offset, size_t n, char* out) const;

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_;
};

// A ValueStream over a contiguous little-endian byte range of a file, in chunks of the caller's
// size: the tensors of safetensors, npy, the TF bundle and PyTorch storages are laid out so.
// `byte_swap_width` > 1 swaps each element of that width (big-endian .npy).
class ValueStream;
std::unique_ptr<ValueStream> MakeRangeStream(const RandomFile* file, uint64_t offset, uint64_t length,
                                             size_t byte_swap_width = 1);

}  // namespace trail::model
