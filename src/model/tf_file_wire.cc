#include "model/tf_file_wire.h"

#include <algorithm>

namespace trail::model {

bool FileWireReader::Next(FileField& field) {
  if (!error_.empty() || pos_ >= end_) return false;
  // A key and a varint take at most 10 bytes each.
  std::string head;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(20, end_ - pos_));
  const Status read = file_.ReadAt(pos_, want, &head);
  if (!read.ok()) {
    error_ = read.message();
    return false;
  }
  std::string_view rest(head);
  uint64_t key = 0;
  if (!ConsumeVarint(rest, key)) {
    error_ = "truncated field key";
    return false;
  }
  field.number = static_cast<uint32_t>(key >> 3);
  field.type = static_cast<WireType>(key & 7);
  if (field.number == 0 || (key >> 3) > 0x1fffffff) {
    error_ = "bad field number";
    return false;
  }
  uint64_t width = 0;
  field.value = 0;
  switch (field.type) {
    case WireType::kVarint:
    case WireType::kLengthDelimited:
      if (!ConsumeVarint(rest, field.value)) {
        error_ = "truncated varint";
        return false;
      }
      break;
    case WireType::kFixed64:
      width = 8;
      break;
    case WireType::kFixed32:
      width = 4;
      break;
    default:
      error_ = "unsupported wire type " + std::to_string(key & 7);
      return false;
  }
  if (width > 0) {
    if (rest.size() < width) {
      error_ = "truncated fixed field";
      return false;
    }
    for (size_t i = 0; i < width; ++i) field.value |= uint64_t{static_cast<unsigned char>(rest[i])} << (8 * i);
    rest.remove_prefix(static_cast<size_t>(width));
  }
  pos_ += head.size() - rest.size();
  field.offset = pos_;
  field.length = 0;
  if (field.type == WireType::kLengthDelimited) {
    if (field.value > end_ - pos_) {
      error_ = "field " + std::to_string(field.number) + " claims " + std::to_string(field.value) +
               " bytes past the end of its message";
      return false;
    }
    field.length = field.value;
    pos_ += field.length;
  }
  return true;
}

bool LoadField(const RandomFile& file, const FileField& field, uint64_t cap, std::string* out, Status* status) {
  const uint64_t n = std::min(field.length, cap);
  *status = file.ReadAt(field.offset, static_cast<size_t>(n), out);
  return status->ok() && n == field.length;
}

}  // namespace trail::model
