// CsvLogReader: follows one Keras CSVLogger file while training appends a row per epoch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ingest/appended_file.h"
#include "ingest/csv_log_parser.h"
#include "metrics/metric_set.h"
#include "trail/status.h"

namespace trail::ingest {

// Poll() parses every complete ('\n'-terminated) line appended since the last call with a
// CsvLogParser (csv_log_parser.h has the rules); a line the writer is halfway through waits.
// Finish() also takes a final line without its newline. A missing file reads as empty.
//
// Problems in the data are warnings "<path>: line N: ...", never errors. If the file shrinks
// (rewritten) one warning says so and the reader stops; points read stay in the set. A line
// longer than 1 MiB is skipped with a warning, which bounds memory. Errors (the Status) are only
// for the OS refusing to open or read the file. Pass the same MetricSet to every call.
class CsvLogReader {
 public:
  CsvLogReader(std::string path, std::string key_prefix);
  CsvLogReader(const CsvLogReader&) = delete;
  CsvLogReader& operator=(const CsvLogReader&) = delete;

  // Rows carry no time: their points are stamped `now`. Returns the points added.
  StatusOr<int64_t> Poll(double now, metrics::MetricSet& set, std::vector<std::string>* warnings);
  StatusOr<int64_t> Finish(double now, metrics::MetricSet& set, std::vector<std::string>* warnings);

  const std::string& path() const { return file_.path(); }
  bool stopped() const { return stopped_; }
  // Bytes consumed: the end of the last line parsed.
  uint64_t offset() const { return offset_; }

 private:
  AppendedFile file_;
  CsvLogParser parser_;
  FileWarnings warnings_;
  // buffer_[0, held_) is the start of an unfinished line; the file is read up to offset_ + held_.
  std::vector<char> buffer_;
  size_t held_ = 0;
  uint64_t offset_ = 0;
  bool discarding_ = false;  // inside an over-long line, dropping bytes up to its newline
  bool stopped_ = false;
};

}  // namespace trail::ingest
