// LineParser: one line of the metrics protocol into points of a MetricSet.
//
// The protocol (written by training scripts in any language, no library):
// one JSON object per line, e.g. {"step": 3, "loss": 0.21, "val_loss": 0.25}.
//   - "step" (integer) is the step of every value on the line. Without it,
//     "epoch" (integer) is the step and is not recorded as a metric. Without
//     both, each metric's step is its own running count (0, 1, 2, ...).
//   - "time" or "timestamp" (unix seconds), if a finite number, is the wall
//     time of the line; otherwise the caller's `now` is. Neither is a metric.
//   - Every other number is a point; true/false are 1/0; NaN, Infinity and
//     -Infinity are accepted; nested objects flatten with dots ("val.loss");
//     strings, nulls and arrays are ignored.
//   - Not an object, bad syntax, a non-integer step, an empty or duplicate
//     key: the line is rejected with a reason and adds nothing.
//   - Empty or whitespace-only lines add nothing and are not errors.
// See line_fields.h for where these rules live.
#pragma once

#include <string_view>

#include "metrics/line_fields.h"
#include "metrics/metric_set.h"
#include "trail/status.h"

namespace trail::metrics {

// Not thread-safe; keep one per reader. It holds buffers reused across
// lines, so parsing a typical line does not allocate.
class LineParser {
 public:
  // Parses one line (without its newline) into `set`. `now` is the time for
  // a line that carries none. Returns the number of points added, or
  // InvalidArgument("<reason>") for a malformed line.
  StatusOr<int> Parse(std::string_view line, double now, MetricSet& set);

 private:
  internal::FieldBuffer fields_;
  internal::LineShapeCache shape_;
};

}  // namespace trail::metrics
