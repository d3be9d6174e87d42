#include "model/pytorch_detect.h"

#include <algorithm>
#include <cstring>

namespace trail::model {

bool IsLegacyTorchSave(std::string_view head) {
  static constexpr unsigned char kMagic[12] = {0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
  if (head.size() < 2 || static_cast<unsigned char>(head[0]) != 0x80 || head[1] < 2 || head[1] > 5) return false;
  size_t at = 2;
  if (head.size() > at && static_cast<unsigned char>(head[at]) == 0x95) at += 9;  // FRAME and its 8-byte length
  return head.size() >= at + sizeof(kMagic) && std::memcmp(head.data() + at, kMagic, sizeof(kMagic)) == 0;
}

std::string FirstZipEntryName(const RandomFile& file) {
  // Local file header: signature (4), versions, flags, method, time, date (10), crc and sizes
  // (12), name length (2, at 26), extra length (2), then the name at 30.
  std::string header;
  if (file.size() < 30 || !file.ReadAt(0, 30, &header).ok()) return "";
  if (std::memcmp(header.data(), "PK\x03\x04", 4) != 0) return "";
  const size_t length = static_cast<unsigned char>(header[26]) | (static_cast<unsigned char>(header[27]) << 8);
  if (length == 0 || length > file.size() - 30) return "";
  std::string name;
  if (!file.ReadAt(30, length, &name).ok()) return "";
  return name;
}

bool HasZipEndRecord(const RandomFile& file) {
  constexpr uint64_t kEndRecord = 22, kMaxComment = 65535;
  if (file.size() < kEndRecord) return false;
  const uint64_t span = std::min<uint64_t>(file.size(), kEndRecord + kMaxComment);
  std::string tail;
  if (!file.ReadAt(file.size() - span, static_cast<size_t>(span), &tail).ok()) return false;
  for (size_t i = tail.size() - kEndRecord + 1; i > 0; --i) {
    if (std::memcmp(tail.data() + i - 1, "PK\x05\x06", 4) == 0) return true;
  }
  return false;
}

}  // namespace trail::model
