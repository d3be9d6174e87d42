// A bounds-checked reader of the Thrift Compact Protocol, the encoding of Parquet's footer
// (FileMetaData). It reads the few fields trail needs and skips everything else, of any type,
// so footers from newer writers with fields we do not know still parse.
//
// Every read checks the bytes left, and nesting is capped, so hostile input ends in an error,
// never an overrun or a stack overflow.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace trail::datafile {

// Compact-protocol type ids, as they appear in field headers and list headers.
enum class ThriftType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class ThriftCompactReader {
 public:
  explicit ThriftCompactReader(std::string_view data) : data_(data) {}

  // The next field header of the current struct: its id and type; type kStop ends the struct.
  // `last_id` is the previous field's id in this struct (0 at its start), for delta encoding.
  bool ReadFieldHeader(int16_t last_id, int16_t* id, ThriftType* type);
  bool ReadI64(int64_t* value);  // zigzag varint; also reads i16 and i32 values
  // Skips a value of `type` (for a field: bools carry their value in the header, nothing to skip).
  bool Skip(ThriftType type, int depth = 0);

  // What went wrong, for the caller's message.
  const std::string& error() const { return error_; }
  size_t position() const { return pos_; }

 private:
  bool ReadVarint(uint64_t* value);
  bool ReadByte(uint8_t* value);
  bool SkipBytes(uint64_t n);
  bool SkipElement(ThriftType type, int depth);
  bool Fail(const std::string& what);

  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace trail::datafile
