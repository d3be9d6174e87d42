// A minimal reader of the protobuf wire format, for decoding the few messages trail needs
// (TensorFlow events, checkpoints and graphs; ONNX models) without depending on protobuf or their
// .proto files.
//
// It walks a message's fields in order and hands each one over with its raw value; callers switch
// on (field number, wire type) and skip what they do not know, as protobuf's own parsers do.
// Every read is bounds-checked: malformed input (a truncated varint or field, a length past the
// end, wire types 6 and 7, field number 0, unbalanced groups) stops the walk with an error,
// never reads outside `data`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace trail {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,  // deprecated groups: skipped whole, never returned by Next()
  kEndGroup = 4,
  kFixed32 = 5,
};

// One field as it appears on the wire. `value` holds a kVarint's value, the little-endian bits of
// a kFixed32 or kFixed64 (std::bit_cast them for floats), or a kLengthDelimited's length, whose
// contents are `bytes` (a view into the reader's data; stale for other wire types).
struct WireField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t value = 0;
  std::string_view bytes;
};

class WireReader {
 public:
  explicit WireReader(std::string_view data)
      : begin_(data.data()), cur_(data.data()), end_(data.data() + data.size()) {}

  // Reads the next field into `field`. Returns false at the end of the data or on malformed
  // input; then error() says which (empty at a clean end). Groups are skipped.
  bool Next(WireField& field);

  bool ok() const { return error_.empty(); }
  // "truncated varint", ... ; empty while ok.
  const std::string& error() const { return error_; }
  // Bytes consumed so far; on error, where the offending field starts.
  size_t position() const { return static_cast<size_t>(cur_ - begin_); }

 private:
  // Most varints in these messages (keys, lengths, dtypes) are one byte: that case is inline.
  bool ReadVarint(uint64_t& out) {
    if (cur_ < end_ && static_cast<unsigned char>(*cur_) < 0x80) {
      out = static_cast<unsigned char>(*cur_++);
      return true;
    }
    return ReadLongVarint(out);
  }
  bool ReadLongVarint(uint64_t& out);
  bool ReadKey(uint32_t& number, WireType& type);
  // Skips the value of a field of `type` whose key was just read (groups recursively).
  bool SkipValue(uint32_t number, WireType type, int depth);
  bool Fail(const char* message);

  const char* begin_;
  const char* cur_;
  const char* end_;
  std::string error_;
};

// Calls fn(value) for each element of a repeated scalar field occurrence, packed (one
// length-delimited field) or not (one element). `element` is the wire type of one element:
// kVarint, kFixed32 or kFixed64. Returns false if the packed bytes are malformed (a truncated
// element) or the occurrence has a wire type that fits neither form; then nothing more is called.
template <typename Fn>
bool ForEachRepeated(const WireField& field, WireType element, Fn&& fn);

// Reads one varint from the front of `data`, advancing it. False if truncated or over 10 bytes.
bool ConsumeVarint(std::string_view& data, uint64_t& out);

// --- implementation of the template ---

template <typename Fn>
bool ForEachRepeated(const WireField& field, WireType element, Fn&& fn) {
  if (field.type == element) {
    fn(field.value);
    return true;
  }
  if (field.type != WireType::kLengthDelimited) return false;
  std::string_view packed = field.bytes;
  while (!packed.empty()) {
    uint64_t v = 0;
    if (element == WireType::kVarint) {
      if (!ConsumeVarint(packed, v)) return false;
    } else {
      const size_t width = element == WireType::kFixed32 ? 4 : 8;
      if (packed.size() < width) return false;
      for (size_t i = 0; i < width; ++i) v |= uint64_t{static_cast<unsigned char>(packed[i])} << (8 * i);
      packed.remove_prefix(width);
    }
    fn(v);
  }
  return true;
}

}  // namespace trail
