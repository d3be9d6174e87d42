// Snapshots of TFRecord and .npy files: records and rows are copied as bytes, never decoded.
#include "datafile/npy.h"
#include "datafile/snapshot_formats.h"
#include "datafile/tfrecord_walk.h"

namespace trail::datafile {

StatusOr<SnapshotResult> SnapshotTfRecords(InputFile& in, uint64_t block_length, const SnapshotOptions& options,
                                           OutputFile& out) {
  BlockSampler sampler(block_length, options.seed, 0);
  TfRecordWalker walker(in);
  TfRecordSpan span;
  SnapshotResult result;
  while (true) {
    TRAIL_ASSIGN_OR_RETURN(bool more, walker.Next(&span));
    if (!more) break;
    ++result.rows_in;
    if (!sampler.Take()) continue;
    ++result.rows_kept;
    TRAIL_RETURN_IF_ERROR(CopyRange(in, span.offset, span.length + kTfRecordOverhead, out));
  }
  return result;
}

StatusOr<SnapshotResult> SnapshotNpy(InputFile& in, uint64_t block_length, const SnapshotOptions& options,
                                     OutputFile& out) {
  TRAIL_ASSIGN_OR_RETURN(NpyHeader header, ReadNpyHeader(in));
  if (header.shape.empty()) return InvalidArgument(in.path() + ": a 0-d array has no rows to sample");
  // A 1-d array is laid out the same in either order; beyond that, Fortran-order rows are not
  // contiguous and would need a transpose.
  if (header.fortran_order && header.shape.size() > 1) {
    return InvalidArgument(in.path() + ": snapshots of Fortran-order arrays are not supported (save it in C order)");
  }
  // Object arrays hold pickles whose rows have no fixed size.
  if (header.descr.find("|O'") != std::string::npos) {
    return InvalidArgument(in.path() + ": snapshots of object arrays (pickled) are not supported");
  }
  const uint64_t rows = header.shape[0];
  const uint64_t data = in.size() - header.data_offset;
  // The row size comes from the data size, which covers every dtype (structured ones included)
  // without decoding descr; it must divide evenly.
  if (rows > 0 && data % rows != 0) {
    return Corrupt(in.path() + ": " + std::to_string(data) + " data bytes do not split into " + std::to_string(rows) +
                   " rows");
  }
  const uint64_t row_bytes = rows > 0 ? data / rows : 0;
  BlockSampler sampler(block_length, options.seed, 0);
  SnapshotResult result;
  result.rows_in = rows;
  result.rows_kept = sampler.KeptAmong(rows);
  TRAIL_RETURN_IF_ERROR(out.Append(RewriteNpyHeader(header, result.rows_kept)));
  // Rows of zero bytes (shape (n, 0)) have nothing to copy; skipping the loop keeps a header
  // claiming a huge n from costing time.
  for (uint64_t r = 0; r < rows && row_bytes > 0; ++r) {
    if (sampler.Take()) TRAIL_RETURN_IF_ERROR(CopyRange(in, header.data_offset + r * row_bytes, row_bytes, out));
  }
  return result;
}

}  // namespace trail::datafile
