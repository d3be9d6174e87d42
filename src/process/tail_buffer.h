// TailBuffer: keeps the last N bytes of a byte stream.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace trail::process {

// A fixed-size ring. Append() costs at most two memcpy()s of at most
// `capacity` bytes however large the input, so relaying stays cheap.
// Thread-safe: one thread may append while others read.
class TailBuffer {
 public:
  explicit TailBuffer(size_t capacity);

  void Append(const char* data, size_t size);

  // The last min(capacity, total_bytes()) bytes, oldest first.
  std::string Contents() const;

  // Every byte ever appended, including those since overwritten.
  uint64_t total_bytes() const { return total_.load(std::memory_order_relaxed); }

 private:
  mutable std::mutex mu_;
  std::vector<char> ring_;
  size_t start_ = 0;  // index of the oldest byte kept
  size_t size_ = 0;   // bytes kept
  std::atomic<uint64_t> total_{0};
};

}  // namespace trail::process
