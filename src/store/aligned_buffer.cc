#include "store/aligned_buffer.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

namespace trail::store {

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  data_ = std::move(other.data_);
  size_ = std::exchange(other.size_, 0);
  capacity_ = std::exchange(other.capacity_, 0);
  return *this;
}

void AlignedBuffer::Reserve(size_t capacity) {
  if (capacity <= capacity_) return;
  // No transparent huge pages: on a VM they come from the free blocks the guest has handed
  // back to the host, and faulting those in cost more than the TLB misses they save.
  capacity = (capacity + kAlignment - 1) / kAlignment * kAlignment;
  void* raw = nullptr;
  if (::posix_memalign(&raw, kAlignment, capacity) != 0) throw std::bad_alloc();
  if (size_ > 0) std::memcpy(raw, data_.get(), size_);
  data_.reset(static_cast<char*>(raw));
  capacity_ = capacity;
}

void AlignedBuffer::Append(std::string_view bytes) {
  if (bytes.empty()) return;
  if (size_ + bytes.size() > capacity_) Reserve(std::max(size_ + bytes.size(), capacity_ * 2));
  std::memcpy(data_.get() + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
}

void AlignedBuffer::Release() {
  data_.reset();
  size_ = 0;
  capacity_ = 0;
}

}  // namespace trail::store
