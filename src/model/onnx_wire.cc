#include "model/onnx_wire.h"

#include <algorithm>

namespace trail::model {
namespace {

constexpr uint64_t kWindowBytes = 64 * 1024;

}  // namespace

FileWireWalker::FileWireWalker(const RandomFile* file, uint64_t begin, uint64_t end, std::string what)
    : file_(file), pos_(begin), end_(std::min(end, file->size())), what_(std::move(what)) {}

Status FileWireWalker::Fail(const std::string& why) const {
  return Corrupt(what_ + ": " + why + " at byte " + std::to_string(pos_));
}

StatusOr<uint64_t> FileWireWalker::Varint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= end_) return Fail("truncated varint");
    if (pos_ < window_at_ || pos_ >= window_at_ + window_.size()) {
      window_at_ = pos_;
      TRAIL_RETURN_IF_ERROR(file_->ReadAt(pos_, static_cast<size_t>(std::min(kWindowBytes, end_ - pos_)), &window_));
    }
    const auto byte = static_cast<unsigned char>(window_[pos_ - window_at_]);
    ++pos_;
    if (shift == 63 && byte > 1) return Fail("varint overflows 64 bits");
    value |= uint64_t{byte & 0x7fu} << shift;
    if (byte < 0x80) return value;
  }
  return Fail("varint longer than 10 bytes");
}

StatusOr<bool> FileWireWalker::Next(OnnxField& field) {
  if (pos_ >= end_) return false;
  TRAIL_ASSIGN_OR_RETURN(uint64_t key, Varint());
  const uint64_t number = key >> 3;
  if (number == 0 || number > 0x1fffffff) return Fail("invalid field number");
  field.number = static_cast<uint32_t>(number);
  switch (key & 7) {
    case 0: {
      field.type = WireType::kVarint;
      field.offset = pos_;
      TRAIL_ASSIGN_OR_RETURN(field.value, Varint());
      return true;
    }
    case 1:
    case 5: {
      const uint64_t width = (key & 7) == 1 ? 8 : 4;
      field.type = width == 8 ? WireType::kFixed64 : WireType::kFixed32;
      if (end_ - pos_ < width) return Fail("truncated fixed-width field");
      std::string bytes;
      TRAIL_RETURN_IF_ERROR(file_->ReadAt(pos_, width, &bytes));
      field.value = 0;
      for (uint64_t i = width; i > 0; --i) field.value = (field.value << 8) | static_cast<unsigned char>(bytes[i - 1]);
      field.offset = pos_;
      pos_ += width;
      return true;
    }
    case 2: {
      field.type = WireType::kLengthDelimited;
      TRAIL_ASSIGN_OR_RETURN(field.value, Varint());
      if (field.value > end_ - pos_) return Fail("length-delimited field past the end");
      field.offset = pos_;
      pos_ += field.value;
      return true;
    }
    default:
      return Fail("unsupported wire type " + std::to_string(key & 7));
  }
}

Status FileWireWalker::ReadSmall(const OnnxField& field, uint64_t max_bytes, std::string* out) const {
  if (field.value > max_bytes) {
    return Corrupt(what_ + ": field " + std::to_string(field.number) + " holds " + std::to_string(field.value) +
                   " bytes, over the " + std::to_string(max_bytes) + " trail reads");
  }
  return file_->ReadAt(field.offset, static_cast<size_t>(field.value), out);
}

}  // namespace trail::model
