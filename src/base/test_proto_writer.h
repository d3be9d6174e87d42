// Test-only: protobuf wire-format encoders, written independently of base/proto_wire.h so that a
// shared misreading of the format cannot make a reader and its tests agree. Tests of every message
// trail decodes (TensorFlow events, checkpoints and graphs; ONNX models) build their bytes with these.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trail::testing::proto {

inline std::string Varint(uint64_t v) {
  std::string out;
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    if (v != 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (v != 0);
  return out;
}

inline std::string LittleEndian(uint64_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

inline std::string Key(int field, int wire_type) { return Varint((static_cast<uint64_t>(field) << 3) | wire_type); }
inline std::string VarintField(int field, uint64_t v) { return Key(field, 0) + Varint(v); }
inline std::string DoubleField(int field, double v) {
  return Key(field, 1) + LittleEndian(std::bit_cast<uint64_t>(v), 8);
}
inline std::string FloatField(int field, float v) {
  return Key(field, 5) + LittleEndian(std::bit_cast<uint32_t>(v), 4);
}
inline std::string BytesField(int field, std::string_view bytes) {
  return Key(field, 2) + Varint(bytes.size()) + std::string(bytes);
}

inline std::string PackedFloats(int field, const std::vector<float>& vs) {
  std::string packed;
  for (float v : vs) packed += LittleEndian(std::bit_cast<uint32_t>(v), 4);
  return BytesField(field, packed);
}
inline std::string PackedVarints(int field, const std::vector<int64_t>& vs) {
  std::string packed;
  for (int64_t v : vs) packed += Varint(static_cast<uint64_t>(v));
  return BytesField(field, packed);
}

}  // namespace trail::testing::proto
