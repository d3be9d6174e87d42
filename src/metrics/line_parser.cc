#include "metrics/line_parser.h"

#include "metrics/fast_scan.h"
#include "metrics/json_scan.h"

namespace trail::metrics {
namespace {

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace

StatusOr<int> LineParser::Parse(std::string_view line, double now, MetricSet& set) {
  if (!internal::ScanFlatLine(line, fields_)) {
    if (IsBlank(line)) return 0;
    TRAIL_RETURN_IF_ERROR(internal::ScanJsonLine(line, fields_));
  }
  return internal::CommitFields(fields_.fields, now, set, shape_);
}

}  // namespace trail::metrics
