// The protobuf wire format walked in a file rather than in memory: for ONNX models, whose
// ModelProto may hold gigabytes of initializer data. The walker reads keys and lengths through a
// small window and hands back where each length-delimited field lies, so a caller descends into
// the messages it needs and only remembers where tensor data is. Messages it wants whole (a
// node, a value info) it reads with ReadSmall, under a cap, and decodes with base/proto_wire.h.
#pragma once

#include <cstdint>
#include <string>

#include "base/proto_wire.h"
#include "model/random_file.h"
#include "trail/status.h"

namespace trail::model {

// A field of an ONNX message on disk. Named apart from tf_file_wire.h's FileField: two classes of one
// name in one namespace break the one-definition rule (their std::vector code was merged by the
// linker, and the smaller one read past its end under ASan).
struct OnnxField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t value = 0;   // a varint's or fixed field's value; a length-delimited field's length
  uint64_t offset = 0;  // where the value (a length-delimited field's contents) starts in the file
};

class FileWireWalker {
 public:
  // Walks the fields in [begin, end) of `file`, which must outlive the walker. `what` names the
  // message in errors ("PATH: graph").
  FileWireWalker(const RandomFile* file, uint64_t begin, uint64_t end, std::string what);

  // Reads the next field: true with one, false at the end of the range. Corrupt for a truncated
  // varint, a length past the range, a group, wire types 6 and 7, field number 0.
  StatusOr<bool> Next(OnnxField& field);

  // The contents of a length-delimited field, refused (Corrupt) above `max_bytes`.
  Status ReadSmall(const OnnxField& field, uint64_t max_bytes, std::string* out) const;

 private:
  StatusOr<uint64_t> Varint();
  Status Fail(const std::string& why) const;

  const RandomFile* file_;
  uint64_t pos_;
  uint64_t end_;
  std::string what_;
  std::string window_;
  uint64_t window_at_ = 0;
};

}  // namespace trail::model
