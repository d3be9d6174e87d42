// CsvLogParser: the lines of a Keras CSVLogger file (or any CSV of per-epoch numbers) to points.
//
//   epoch,loss,accuracy,val_loss,val_accuracy
//   0,0.693,0.51,0.690,0.55
//
// The first non-blank line is the header; its separator, ',' ';' or '\t' (whichever occurs most
// outside quotes; ',' if none), is used for every row. Each other column becomes the metric
// key_prefix + <column name>; a row adds one point per numeric cell at step = the row's `epoch`
// cell (else its data-row number, from 0) and time = the `now` given with the line.
//
// Cells may be quoted ("a,b", with "" for a quote), as Python's csv module writes them; a quoted
// cell cannot span lines. Empty and "NA" cells (what CSVLogger writes for a metric missing from
// an epoch) are skipped silently, as are cells of a column with an empty name; other non-numeric cells are skipped with
// one warning per column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/file_warnings.h"
#include "metrics/metric_set.h"

namespace trail::ingest {

class CsvLogParser {
 public:
  // `source` names the file in warnings.
  CsvLogParser(std::string source, std::string key_prefix);

  // Parses one complete line, without its '\n' (a trailing '\r' is dropped). Returns the points
  // added. Pass the same MetricSet to every call.
  int64_t ParseLine(std::string_view line, double now, metrics::MetricSet& set, std::vector<std::string>* warnings);

  bool has_header() const { return !columns_.empty(); }
  char separator() const { return separator_; }
  // Lines given so far, blank ones included.
  int64_t lines() const { return lines_; }

 private:
  void ParseHeader(std::string_view line);
  void SplitCells(std::string_view line);
  void Warn(std::vector<std::string>* warnings, const std::string& message);

  FileWarnings warnings_;
  std::string key_prefix_;
  char separator_ = ',';
  std::vector<std::string> columns_;
  int epoch_column_ = -1;
  std::vector<bool> column_warned_;
  bool width_warned_ = false;
  bool epoch_warned_ = false;
  int64_t lines_ = 0;
  int64_t rows_ = 0;

  const metrics::MetricSet* cached_set_ = nullptr;
  std::vector<size_t> ids_;         // per column, interned on first use; valid for cached_set_
  std::vector<std::string> cells_;  // reused between lines
};

}  // namespace trail::ingest
