#include "datafile/instances.h"

#include "datafile/input_file.h"
#include "datafile/npy.h"
#include "datafile/npz.h"
#include "datafile/parquet.h"
#include "datafile/text_rows.h"
#include "datafile/tfrecord_walk.h"

namespace trail::datafile {
namespace {

StatusOr<uint64_t> CountTextRows(InputFile& file, DataFormat format) {
  uint64_t count = 0;
  TRAIL_RETURN_IF_ERROR(ForEachTextRow(file, format, [&](std::string_view, bool is_header) {
    if (!is_header) ++count;
    return Status::Ok();
  }));
  return count;
}

StatusOr<uint64_t> CountTfRecords(const InputFile& file) {
  TfRecordWalker walker(file);
  TfRecordSpan span;
  uint64_t count = 0;
  while (true) {
    TRAIL_ASSIGN_OR_RETURN(bool more, walker.Next(&span));
    if (!more) return count;
    ++count;
  }
}

}  // namespace

StatusOr<std::optional<uint64_t>> CountInstances(const std::string& path, DataFormat format) {
  if (format == DataFormat::kOther) return std::optional<uint64_t>();
  TRAIL_ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path));
  std::optional<uint64_t> count;
  switch (format) {
    case DataFormat::kCsv:
    case DataFormat::kTsv:
    case DataFormat::kJsonLines: {
      TRAIL_ASSIGN_OR_RETURN(count, CountTextRows(file, format));
      break;
    }
    case DataFormat::kNpy: {
      TRAIL_ASSIGN_OR_RETURN(NpyHeader header, ReadNpyHeader(file));
      count = NpyInstances(header);
      break;
    }
    case DataFormat::kNpz: {
      // Arrays saved together are usually parallel (x, y): their shared leading dimension is the
      // instance count. If they differ, the first array's is used (NpzInfo says so).
      TRAIL_ASSIGN_OR_RETURN(NpzInfo info, ReadNpzInfo(file));
      const auto& shape = info.arrays.front().shape;
      count = shape.empty() ? 1 : shape[0];
      break;
    }
    case DataFormat::kTfRecord: {
      TRAIL_ASSIGN_OR_RETURN(count, CountTfRecords(file));
      break;
    }
    case DataFormat::kParquet: {
      TRAIL_ASSIGN_OR_RETURN(count, ReadParquetRowCount(file));
      break;
    }
    case DataFormat::kOther:
      break;
  }
  return count;
}

}  // namespace trail::datafile
