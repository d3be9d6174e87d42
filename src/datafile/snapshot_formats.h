// Per-format snapshot writers behind WriteSnapshot (snapshot.h), which validates the options
// and owns the output's atomic commit.
#pragma once

#include "datafile/input_file.h"
#include "datafile/output_file.h"
#include "datafile/snapshot.h"

namespace trail::datafile {

// CSV, TSV and JSON Lines: header kept, rows copied verbatim, blank rows dropped.
StatusOr<SnapshotResult> SnapshotTextRows(InputFile& in, DataFormat format, uint64_t block_length,
                                          const SnapshotOptions& options, OutputFile& out);
// TFRecord: kept records copied with their framing and checksums.
StatusOr<SnapshotResult> SnapshotTfRecords(InputFile& in, uint64_t block_length, const SnapshotOptions& options,
                                           OutputFile& out);
// .npy: kept rows of the leading dimension under a header with the new shape.
StatusOr<SnapshotResult> SnapshotNpy(InputFile& in, uint64_t block_length, const SnapshotOptions& options,
                                     OutputFile& out);

// Copies `length` bytes at `offset` of `in` to `out` in bounded chunks.
Status CopyRange(const InputFile& in, uint64_t offset, uint64_t length, OutputFile& out);

}  // namespace trail::datafile
