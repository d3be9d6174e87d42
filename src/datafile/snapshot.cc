#include "datafile/snapshot.h"

#include <sys/stat.h>

#include <algorithm>

#include "datafile/snapshot_formats.h"

namespace trail::datafile {

Status CopyRange(const InputFile& in, uint64_t offset, uint64_t length, OutputFile& out) {
  std::string chunk;
  while (length > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(length, kStreamBlockSize));
    TRAIL_RETURN_IF_ERROR(in.ReadAt(offset, n, &chunk));
    TRAIL_RETURN_IF_ERROR(out.Append(chunk));
    offset += n;
    length -= n;
  }
  return Status::Ok();
}

StatusOr<SnapshotResult> WriteSnapshot(const std::string& in_path, DataFormat format, const std::string& out_path,
                                       const SnapshotOptions& options) {
  TRAIL_ASSIGN_OR_RETURN(uint64_t block_length, BlockLength(options.fraction));
  const bool text = format == DataFormat::kCsv || format == DataFormat::kTsv || format == DataFormat::kJsonLines;
  if (!text && format != DataFormat::kTfRecord && format != DataFormat::kNpy) {
    // Parquet: a valid subset means decoding and re-encoding column chunks (pages, encodings,
    // codecs), a Parquet writer of its own. npz: each member would be inflated, cut and deflated
    // again, and which arrays are parallel is only a guess. Other: no known row structure.
    return InvalidArgument("snapshots of " + std::string(FormatName(format)) + " files are not supported yet");
  }
  if (!options.stratify_column.empty() && !text) {
    return InvalidArgument("stratified snapshots need CSV, TSV or JSON Lines; " + in_path + " is " +
                           std::string(FormatName(format)));
  }
  TRAIL_ASSIGN_OR_RETURN(InputFile in, InputFile::Open(in_path));
  struct stat st;
  if (::stat(out_path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_dev) == in.device() &&
      static_cast<uint64_t>(st.st_ino) == in.inode()) {
    return InvalidArgument("the snapshot of " + in_path + " cannot replace the file itself");
  }
  TRAIL_ASSIGN_OR_RETURN(OutputFile out, OutputFile::Create(out_path));
  if (options.observe_blocks) in.ObserveBlocks(options.observe_blocks);
  StatusOr<SnapshotResult> result = text ? SnapshotTextRows(in, format, block_length, options, out)
                                    : format == DataFormat::kTfRecord
                                        ? SnapshotTfRecords(in, block_length, options, out)
                                        : SnapshotNpy(in, block_length, options, out);
  if (!result.ok()) return result.status();  // `out` removes its temporary file
  TRAIL_RETURN_IF_ERROR(out.Commit());
  result->observed_whole_file = in.observed_whole_file();
  return result;
}

}  // namespace trail::datafile
