// The row count of a Parquet file, from its footer alone:
//
//   "PAR1" | column chunks ... | FileMetaData (Thrift compact) | u32le footer length | "PAR1"
//
// FileMetaData's field 3 is `required i64 num_rows`. Nothing else is decoded.
#pragma once

#include <cstdint>

#include "datafile/input_file.h"
#include "trail/status.h"

namespace trail::datafile {

// A footer larger than this is refused: real ones are kilobytes to a few tens of megabytes
// (very wide tables with many row groups).
constexpr uint64_t kMaxParquetFooterSize = 256 << 20;

StatusOr<uint64_t> ReadParquetRowCount(const InputFile& file);
// The same, from FileMetaData bytes already read; `name` prefixes errors.
StatusOr<uint64_t> ParquetRowCountFromFooter(std::string_view footer, const std::string& name);

}  // namespace trail::datafile
