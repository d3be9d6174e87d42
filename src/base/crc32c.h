// CRC32C (Castagnoli), the checksum TFRecord framing uses, and TFRecord's masking of it. One copy
// for every layer: ingest reads whole TFRecord files, datafile walks their framing.
//
// Crc32c picks the fastest implementation the CPU allows once per process: the SSE4.2 crc32
// instruction when present, else a portable slicing-by-8 table. Both give identical results;
// internal:: exposes each so tests can hold them to each other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace trail {

// CRC32C of `data`, continuing from `crc` (the value returned for the bytes before it; 0 to start).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);

inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }

// TFRecord stores checksums masked, because a CRC computed over bytes that themselves contain CRCs
// is weak: rotate right by 15 bits, then add a constant.
constexpr uint32_t kCrcMaskDelta = 0xa282ead8u;
constexpr uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kCrcMaskDelta; }
constexpr uint32_t UnmaskCrc(uint32_t masked) {
  uint32_t rotated = masked - kCrcMaskDelta;
  return (rotated >> 17) | (rotated << 15);
}

namespace internal {
// The table implementation, on any CPU.
uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t size);
// The SSE4.2 implementation, or nullopt when this CPU (or build) has no crc32 instruction.
std::optional<uint32_t> Crc32cHardware(uint32_t crc, const void* data, size_t size);
}  // namespace internal

}  // namespace trail
