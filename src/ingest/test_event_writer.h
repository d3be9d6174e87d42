// Test-only: writes TensorBoard event files byte by byte, independently of the code under test
// (its own protobuf encoding and a bit-at-a-time CRC32C), so a shared misreading of the format
// cannot make reader and writer agree.
#pragma once

#include <bit>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/test_crc32c.h"
#include "base/test_proto_writer.h"

namespace trail::ingest::testutil {

using trail::testing::ReferenceCrc32c;
using trail::testing::ReferenceMask;
using namespace trail::testing::proto;

// --- the TensorFlow messages, field numbers from event.proto, summary.proto, tensor.proto ---

// SummaryMetadata { plugin_data { plugin_name } }
inline std::string PluginMetadata(std::string_view plugin) { return BytesField(1, BytesField(1, plugin)); }

// Summary.Value { tag, simple_value }
inline std::string SimpleValue(std::string_view tag, float v) { return BytesField(1, tag) + FloatField(2, v); }

// TensorShapeProto with the given dims (none: rank 0).
inline std::string Shape(const std::vector<int64_t>& dims) {
  std::string shape;
  for (int64_t d : dims) shape += BytesField(2, VarintField(1, static_cast<uint64_t>(d)));
  return shape;
}

// TensorProto fields: dtype, shape, then whatever value encoding the caller adds.
inline std::string TensorHead(int dtype, const std::vector<int64_t>& dims) {
  return VarintField(1, dtype) + BytesField(2, Shape(dims));
}
inline std::string TensorContent(std::string_view raw) { return BytesField(4, raw); }
constexpr int kDtFloat = 1, kDtDouble = 2, kDtInt32 = 3, kDtString = 7, kDtInt64 = 9, kDtBfloat16 = 14, kDtHalf = 19;

// Summary.Value { tag, tensor, metadata } (metadata only when `plugin` is not empty).
inline std::string TensorValue(std::string_view tag, std::string_view tensor, std::string_view plugin = "scalars") {
  std::string value = BytesField(1, tag) + BytesField(8, tensor);
  if (!plugin.empty()) value += BytesField(9, PluginMetadata(plugin));
  return value;
}

// Event { wall_time, step, summary { value... } }
inline std::string SummaryEvent(double wall_time, int64_t step, const std::vector<std::string>& values) {
  std::string summary;
  for (const std::string& v : values) summary += BytesField(1, v);
  return DoubleField(1, wall_time) + VarintField(2, static_cast<uint64_t>(step)) + BytesField(5, summary);
}

// The first event of every file: Event { wall_time, file_version }
inline std::string FileVersionEvent(double wall_time) {
  return DoubleField(1, wall_time) + BytesField(3, "brain.Event:2");
}

// --- TFRecord framing ---

inline std::string Frame(std::string_view data) {
  std::string length = LittleEndian(data.size(), 8);
  return length + LittleEndian(ReferenceMask(ReferenceCrc32c(length)), 4) + std::string(data) +
         LittleEndian(ReferenceMask(ReferenceCrc32c(data)), 4);
}

inline void AppendToFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace trail::ingest::testutil
