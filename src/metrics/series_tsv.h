// The series file: one metric's points as git-diffable text, stored beside
// the run record.
//
// Format (UTF-8, '\n' line ends, every line terminated):
//   step<TAB>time<TAB>value          header, exactly this
//   <step><TAB><time><TAB><value>    one line per point, in series order
// step:  a decimal int64.
// time:  unix seconds with exactly 3 decimals (millisecond precision, so a
//        round trip rounds time to the millisecond).
// value: FormatDouble's shortest round-trip form, "nan", "inf" or "-inf";
//        a round trip keeps the value exactly.
// Appending points appends lines, so a growing series diffs as added lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metrics/metric_set.h"
#include "trail/status.h"

namespace trail::metrics {

std::string SeriesToTsv(const std::vector<Point>& points);

// Parses SeriesToTsv's output. Anything else -- a missing or different
// header, a wrong field count, a bad number, a missing final newline -- is
// Corrupt("series line N: ...") with N counting from 1 (the header).
StatusOr<std::vector<Point>> SeriesFromTsv(std::string_view text);

}  // namespace trail::metrics
