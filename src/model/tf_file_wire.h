// Walking a protobuf message that lies in a file, field by field, without loading it: a
// SavedModel or .meta can hold hundreds of MB of constants, so the graph readers load only the
// fields they need, each up to a cap (tf_graph.cc), and step over the rest.
#pragma once

#include <cstdint>
#include <string>

#include "base/proto_wire.h"
#include "model/random_file.h"

namespace trail::model {

// One field of a message in a file. For kLengthDelimited, the payload is [offset, offset+length).
struct FileField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t value = 0;  // kVarint's value, a fixed field's bits, or the payload length
  uint64_t offset = 0;
  uint64_t length = 0;
};

class FileWireReader {
 public:
  // Walks the message at [begin, end) of `file`; `end` must not exceed file.size().
  FileWireReader(const RandomFile& file, uint64_t begin, uint64_t end) : file_(file), pos_(begin), end_(end) {}
  FileWireReader(const RandomFile& file, const FileField& message)
      : FileWireReader(file, message.offset, message.offset + message.length) {}

  // The next field, or false at the end or on malformed data (then error() says which; groups,
  // which TensorFlow's messages never use, count as malformed).
  bool Next(FileField& field);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  const RandomFile& file_;
  uint64_t pos_;
  uint64_t end_;
  std::string error_;
};

// Reads up to `cap` bytes of a length-delimited field's payload into `out`; returns whether the
// whole payload fit.
bool LoadField(const RandomFile& file, const FileField& field, uint64_t cap, std::string* out, Status* status);

}  // namespace trail::model
