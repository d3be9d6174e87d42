#include "process/tail_buffer.h"

#include <algorithm>
#include <cstring>

namespace trail::process {

TailBuffer::TailBuffer(size_t capacity) : ring_(capacity) {}

void TailBuffer::Append(const char* data, size_t size) {
  total_.fetch_add(size, std::memory_order_relaxed);
  const size_t cap = ring_.size();
  if (cap == 0 || size == 0) return;
  // Only the last `cap` bytes of this chunk can survive.
  if (size > cap) {
    data += size - cap;
    size = cap;
  }
  std::lock_guard<std::mutex> lock(mu_);
  const size_t write_at = (start_ + size_) % cap;
  const size_t first = std::min(size, cap - write_at);
  std::memcpy(ring_.data() + write_at, data, first);
  std::memcpy(ring_.data(), data + first, size - first);
  const size_t end = (write_at + size) % cap;
  size_ = std::min(cap, size_ + size);
  start_ = (end + cap - size_) % cap;
}

std::string TailBuffer::Contents() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  if (size_ == 0) return out;
  out.reserve(size_);
  const size_t first = std::min(size_, ring_.size() - start_);
  out.append(ring_.data() + start_, first);
  out.append(ring_.data(), size_ - first);
  return out;
}

}  // namespace trail::process
