#include "ingest/tfrecord.h"

#include "base/crc32c.h"

namespace trail::ingest {
namespace {

uint64_t LoadLe(const char* p, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

void AppendLe(std::string& out, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

constexpr uint64_t kMaxLength = uint64_t{1} << 63;

}  // namespace

TfRecordFrame NextTfRecord(std::string_view buffer) {
  TfRecordFrame frame;
  if (buffer.size() < kTfRecordHeaderSize) {
    frame.kind = TfRecordFrame::Kind::kIncomplete;
    frame.frame_size = kTfRecordHeaderSize;
    return frame;
  }
  const uint64_t length = LoadLe(buffer.data(), 8);
  const auto length_crc = static_cast<uint32_t>(LoadLe(buffer.data() + 8, 4));
  if (MaskCrc(Crc32c(buffer.substr(0, 8))) != length_crc) {
    frame.kind = TfRecordFrame::Kind::kCorrupt;
    frame.error = "record length CRC mismatch";
    return frame;
  }
  if (length >= kMaxLength) {
    frame.kind = TfRecordFrame::Kind::kCorrupt;
    frame.error = "record length " + std::to_string(length) + " is impossible";
    return frame;
  }
  frame.length = length;
  frame.frame_size = kTfRecordHeaderSize + length + kTfRecordFooterSize;
  if (buffer.size() < frame.frame_size) {
    frame.kind = TfRecordFrame::Kind::kIncomplete;
    return frame;
  }
  const std::string_view data = buffer.substr(kTfRecordHeaderSize, static_cast<size_t>(length));
  const auto data_crc = static_cast<uint32_t>(LoadLe(buffer.data() + kTfRecordHeaderSize + length, 4));
  if (MaskCrc(Crc32c(data)) != data_crc) {
    frame.kind = TfRecordFrame::Kind::kCorrupt;
    frame.error = "record data CRC mismatch";
    return frame;
  }
  frame.kind = TfRecordFrame::Kind::kRecord;
  frame.data = data;
  return frame;
}

std::string TfRecordHeader(uint64_t length) {
  std::string header;
  AppendLe(header, length, 8);
  AppendLe(header, MaskCrc(Crc32c(header)), 4);
  return header;
}

std::string TfRecordFooter(std::string_view data) {
  std::string footer;
  AppendLe(footer, MaskCrc(Crc32c(data)), 4);
  return footer;
}

}  // namespace trail::ingest
