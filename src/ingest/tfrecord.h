// TFRecord framing, the container of TensorBoard event files.
//
// A file is a sequence of records, each
//
//   uint64  length             little-endian
//   uint32  masked CRC32C of the 8 length bytes
//   byte    data[length]
//   uint32  masked CRC32C of data
//
// (masking: base/crc32c.h). Nothing separates or indexes records, so a reader must check every
// checksum: after one bad record there is no reliable way to find the next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace trail::ingest {

constexpr size_t kTfRecordHeaderSize = 12;  // length + its CRC
constexpr size_t kTfRecordFooterSize = 4;   // CRC of the data

struct TfRecordFrame {
  enum class Kind {
    kRecord,      // a whole, verified record: `data`, `frame_size`
    kIncomplete,  // the buffer ends inside a record: `frame_size` bytes are needed (12 if the
                  // header itself is cut; then `length` is unknown and 0)
    kCorrupt,     // a checksum does not match: `error`
  };
  Kind kind = Kind::kIncomplete;
  std::string_view data;  // points into the buffer given to NextTfRecord
  uint64_t length = 0;    // the data length the header declares, once its CRC is checked
  uint64_t frame_size = 0;
  std::string error;
};

// Reads the record at the start of `buffer`, which must begin at a record boundary. A length too
// large to add up (over 2^63) is corrupt: no writer produces it, and its CRC matching by chance is
// the only way to see one.
TfRecordFrame NextTfRecord(std::string_view buffer);

// The 12-byte header for a record of `length` bytes, and its 4-byte footer; what a writer puts
// around `data`. Used by the benchmark and the fuzzer's seeds, not by any reader.
std::string TfRecordHeader(uint64_t length);
std::string TfRecordFooter(std::string_view data);

}  // namespace trail::ingest
