// The header of a NumPy .npy file (format versions 1.0, 2.0 and 3.0):
//
//   "\x93NUMPY" major minor  header_len (u16le in 1.0, u32le in 2.0/3.0)
//   header: a Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
//           padded with spaces and a final '\n' so the data starts 64-byte aligned
//   data:   the array's bytes, C or Fortran order
//
// trail reads the header only; the data is never interpreted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "datafile/input_file.h"
#include "trail/status.h"

namespace trail::datafile {

constexpr size_t kNpyPrefixSize = 12;  // enough for magic, version and either length field
// No writer produces headers near this; a larger one is garbage, not a dataset.
constexpr size_t kMaxNpyHeaderSize = 16 << 20;

struct NpyHeader {
  int major = 0;
  int minor = 0;
  std::string descr;           // the dtype as written: '<f8', or a list for structured dtypes
  bool fortran_order = false;  // counting is unaffected: shape is the logical shape either way
  std::vector<uint64_t> shape;
  uint64_t data_offset = 0;  // where the array's bytes start
  std::string dict;          // the header text, kept to rewrite the shape
  size_t shape_begin = 0;    // span of the shape's value within `dict`
  size_t shape_end = 0;
};

// The whole header size (magic through padding) from the first kNpyPrefixSize bytes, so a
// reader knows how much to fetch. `name` prefixes errors.
StatusOr<uint64_t> NpyHeaderSize(std::string_view prefix, const std::string& name);
// Parses a header; `bytes` holds at least NpyHeaderSize() bytes.
StatusOr<NpyHeader> ParseNpyHeader(std::string_view bytes, const std::string& name);
StatusOr<NpyHeader> ReadNpyHeader(const InputFile& file);

// Instances of an array: the leading dimension; a 0-d array (shape ()) holds one value, 1.
uint64_t NpyInstances(const NpyHeader& header);

// The header bytes (magic through padding) for the same array cut to `rows` along the leading
// dimension, in the input's format version, data 64-byte aligned as NumPy writes it.
std::string RewriteNpyHeader(const NpyHeader& header, uint64_t rows);

}  // namespace trail::datafile
