#include "datafile/tfrecord_walk.h"

#include <array>

namespace trail::datafile {
namespace {

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0x82f63b78u : 0u);  // reflected Castagnoli
    t[b] = crc;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kTable = MakeTable();

}  // namespace

uint32_t MaskedCrc32c(const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < size; ++i) crc = (crc >> 8) ^ kTable[(crc ^ p[i]) & 0xffu];
  crc = ~crc;
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

StatusOr<bool> TfRecordWalker::Next(TfRecordSpan* record) {
  const uint64_t size = file_.size();
  if (offset_ == size) return false;
  const std::string at = file_.path() + ": record at offset " + std::to_string(offset_);
  if (size - offset_ < 12) return Corrupt(at + " is truncated (header cut short)");
  TRAIL_ASSIGN_OR_RETURN(std::string_view header, window_.View(offset_, 12));
  uint64_t length = 0;
  uint32_t crc = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(header[i]);
  for (int i = 11; i >= 8; --i) crc = (crc << 8) | static_cast<unsigned char>(header[i]);
  if (MaskedCrc32c(header.data(), 8) != crc)
    return Corrupt(at + ": length checksum mismatch (not TFRecord, or damaged)");
  if (length > size - offset_ - 12 || size - offset_ - 12 - length < 4) {
    return Corrupt(at + " is truncated (declares " + std::to_string(length) + " bytes of data, file ends first)");
  }
  record->offset = offset_;
  record->length = length;
  offset_ += length + kTfRecordOverhead;
  return true;
}

}  // namespace trail::datafile
