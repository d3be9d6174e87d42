// A growable byte buffer whose first byte sits on a 4 KiB boundary.
//
// A pack is built in one of these so that DirectWriter can hand its pages to the disk with
// O_DIRECT straight from where they were assembled: the alternative, copying every pack into
// an aligned bounce buffer first, cost a second memory pass over every byte `trail add` wrote.
// The memory is not zero-filled: every byte below size() was appended.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>

namespace trail::store {

class AlignedBuffer {
 public:
  static constexpr size_t kAlignment = 4096;

  AlignedBuffer() = default;
  // Room for `capacity` bytes before the first reallocation.
  explicit AlignedBuffer(size_t capacity) { Reserve(capacity); }
  AlignedBuffer(AlignedBuffer&& other) noexcept { *this = std::move(other); }
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;

  void Append(std::string_view bytes);
  void Reserve(size_t capacity);
  void Clear() { size_ = 0; }
  // Frees the memory.
  void Release();

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  char& operator[](size_t i) { return data_.get()[i]; }
  std::string_view view() const { return std::string_view(data_.get(), size_); }
  operator std::string_view() const { return view(); }

 private:
  std::unique_ptr<char, decltype(&std::free)> data_{nullptr, &std::free};
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace trail::store
