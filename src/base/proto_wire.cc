#include "base/proto_wire.h"

namespace trail {
namespace {

// Nested groups are obsolete; real messages never nest them deeply. The bound keeps a hostile
// input from recursing without limit.
constexpr int kMaxGroupDepth = 32;

uint64_t LoadLe(const char* p, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

}  // namespace

bool ConsumeVarint(std::string_view& data, uint64_t& out) {
  uint64_t value = 0;
  // At most 10 bytes carry 64 bits; bits past the 64th are dropped, as protobuf does.
  for (size_t i = 0; i < data.size() && i < 10; ++i) {
    const auto byte = static_cast<unsigned char>(data[i]);
    value |= uint64_t{byte & 0x7fu} << (7 * i);
    if ((byte & 0x80u) == 0) {
      out = value;
      data.remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

bool WireReader::Fail(const char* message) {
  error_ = message;
  return false;
}

bool WireReader::ReadLongVarint(uint64_t& out) {
  std::string_view rest(cur_, static_cast<size_t>(end_ - cur_));
  if (!ConsumeVarint(rest, out)) return Fail(rest.size() >= 10 ? "varint longer than 10 bytes" : "truncated varint");
  cur_ = rest.data();
  return true;
}

bool WireReader::ReadKey(uint32_t& number, WireType& type) {
  uint64_t key = 0;
  if (!ReadVarint(key)) return false;
  const uint64_t wire = key & 7u;
  const uint64_t field_number = key >> 3;
  if (wire > 5) return Fail("invalid wire type");
  // Field numbers are 29-bit and never 0.
  if (field_number == 0 || field_number > 0x1fffffffu) return Fail("invalid field number");
  number = static_cast<uint32_t>(field_number);
  type = static_cast<WireType>(wire);
  return true;
}

bool WireReader::SkipValue(uint32_t number, WireType type, int depth) {
  switch (type) {
    case WireType::kVarint: {
      uint64_t ignored;
      return ReadVarint(ignored);
    }
    case WireType::kFixed64:
    case WireType::kFixed32: {
      const size_t width = type == WireType::kFixed64 ? 8 : 4;
      if (static_cast<size_t>(end_ - cur_) < width) return Fail("truncated fixed-width field");
      cur_ += width;
      return true;
    }
    case WireType::kLengthDelimited: {
      uint64_t length = 0;
      if (!ReadVarint(length)) return false;
      if (length > static_cast<uint64_t>(end_ - cur_)) return Fail("length-delimited field past the end");
      cur_ += length;
      return true;
    }
    case WireType::kStartGroup: {
      if (depth >= kMaxGroupDepth) return Fail("groups nested too deeply");
      for (;;) {
        if (cur_ >= end_) return Fail("unterminated group");
        uint32_t inner_number;
        WireType inner_type;
        if (!ReadKey(inner_number, inner_type)) return false;
        if (inner_type == WireType::kEndGroup) {
          if (inner_number != number) return Fail("mismatched end of group");
          return true;
        }
        if (!SkipValue(inner_number, inner_type, depth + 1)) return false;
      }
    }
    case WireType::kEndGroup:
      return Fail("end of group without a start");
  }
  return Fail("invalid wire type");
}

bool WireReader::Next(WireField& field) {
  for (;;) {
    if (cur_ >= end_ || !error_.empty()) return false;
    const char* start = cur_;
    uint32_t number;
    WireType type;
    if (!ReadKey(number, type)) {
      cur_ = start;
      return false;
    }
    field.number = number;
    field.type = type;
    switch (type) {
      case WireType::kVarint:
        if (!ReadVarint(field.value)) break;
        return true;
      case WireType::kFixed64:
      case WireType::kFixed32: {
        const size_t width = type == WireType::kFixed64 ? 8 : 4;
        if (static_cast<size_t>(end_ - cur_) < width) {
          Fail("truncated fixed-width field");
          break;
        }
        field.value = LoadLe(cur_, width);
        cur_ += width;
        return true;
      }
      case WireType::kLengthDelimited: {
        uint64_t length = 0;
        if (!ReadVarint(length)) break;
        if (length > static_cast<uint64_t>(end_ - cur_)) {
          Fail("length-delimited field past the end");
          break;
        }
        field.value = length;
        field.bytes = std::string_view(cur_, static_cast<size_t>(length));
        cur_ += length;
        return true;
      }
      case WireType::kStartGroup:
        if (!SkipValue(number, type, 0)) break;
        continue;  // groups carry nothing trail reads
      case WireType::kEndGroup:
        Fail("end of group without a start");
        break;
    }
    cur_ = start;
    return false;
  }
}

}  // namespace trail
