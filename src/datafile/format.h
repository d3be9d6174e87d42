// Which kind of data file a `trail run --data NAME=PATH` names, from its file name and, where the
// name says nothing, a sniff of its first bytes. The format decides how instances are counted
// (instances.h) and how a snapshot is cut (snapshot.h).
#pragma once

#include <string>
#include <string_view>

namespace trail::datafile {

enum class DataFormat { kCsv, kTsv, kJsonLines, kNpy, kNpz, kTfRecord, kParquet, kOther };

// The lower-case name used in messages and records: "csv", "tsv", "jsonl", "npy", "npz",
// "tfrecord", "parquet", "other".
std::string_view FormatName(DataFormat format);

// By extension (case-insensitive): .csv, .tsv/.tab, .jsonl/.ndjson, .npy, .npz,
// .tfrecord/.tfrecords/.tfrec, .parquet/.pq. A file with none of these is sniffed: the NumPy
// magic, a zip local header (npz), or "PAR1" at both ends (Parquet). A file that cannot be
// opened, or matches nothing, is kOther: detection never fails, counting reports the problem.
DataFormat DetectFormat(const std::string& path);

// The extension rule alone, for callers that have no file (tests, planning).
DataFormat FormatFromName(std::string_view path);

}  // namespace trail::datafile
