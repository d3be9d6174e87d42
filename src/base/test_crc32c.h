// Test-only: CRC32C one bit at a time, straight from the definition (reflected polynomial
// 0x82F63B78), and TFRecord's masking, written independently of base/crc32c.cc so that tests and
// test-file writers cannot share its mistakes.
#pragma once

#include <cstdint>
#include <string_view>

namespace trail::testing {

inline uint32_t ReferenceCrc32c(std::string_view data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int i = 0; i < 8; ++i) crc = (crc & 1u) ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
  }
  return ~crc;
}

inline uint32_t ReferenceMask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

}  // namespace trail::testing
