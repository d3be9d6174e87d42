// Walks the framing of a TFRecord file without reading record data:
//
//   uint64 length (LE) | uint32 masked CRC32C of the 8 length bytes | data | uint32 masked CRC32C of data
//
// Each length's checksum is verified, so a file that is not TFRecord, or is damaged, is reported
// rather than miscounted; the data checksums are not (that would mean reading every byte).
#pragma once

#include <cstdint>

#include "datafile/input_file.h"
#include "trail/status.h"

namespace trail::datafile {

constexpr uint64_t kTfRecordOverhead = 16;  // header 12 + data CRC 4

struct TfRecordSpan {
  uint64_t offset = 0;  // where the record's frame starts
  uint64_t length = 0;  // its data length; the frame is length + kTfRecordOverhead bytes
};

// Iterates the records of `file` in order.
class TfRecordWalker {
 public:
  explicit TfRecordWalker(const InputFile& file) : file_(file), window_(file) {}
  // The next record; false at a clean end of file. A bad length checksum or a frame cut short is
  // a Corrupt status naming the offset.
  StatusOr<bool> Next(TfRecordSpan* record);

 private:
  const InputFile& file_;
  WindowReader window_;
  uint64_t offset_ = 0;
};

}  // namespace trail::datafile
