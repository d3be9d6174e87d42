// A series file (series_tsv.h's format) parsed straight into three columns, for charts: no
// Point per line, no string per line, one pass of std::from_chars over the text. A million
// points (about 30 MB of TSV) parse in tens of milliseconds.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "trail/status.h"

namespace trail::metrics {

// One metric's points, column by column, in series order.
struct SeriesColumns {
  std::vector<int64_t> step;
  std::vector<double> time;   // unix seconds
  std::vector<double> value;  // NaN and +-inf kept

  size_t size() const { return step.size(); }
  // What the columns hold in memory (for a cache bounded by bytes).
  size_t bytes() const {
    return step.capacity() * sizeof(int64_t) + (time.capacity() + value.capacity()) * sizeof(double);
  }
};

// Accepts exactly what SeriesFromTsv accepts (the same header, field count, number forms and
// final newline) and gives the same points. Anything else is Corrupt("line N: <what>"), N
// counting from 1 (the header), with SeriesFromTsv's reasons.
StatusOr<SeriesColumns> ParseSeriesColumns(std::string_view tsv);

}  // namespace trail::metrics
