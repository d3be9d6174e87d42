#include "metrics/protocol_line.h"

#include <cmath>

#include "base/numbers.h"

namespace trail::metrics {

void AppendProtocolLine(std::string* out, std::optional<int64_t> step, double time, std::string_view json_key,
                        double value) {
  char num[40];
  *out += '{';
  if (step) {
    *out += "\"step\":";
    *out += std::to_string(*step);
    *out += ',';
  }
  *out += "\"time\":";
  out->append(num, FormatDoubleTo(num, std::round(time * 1000) / 1000));
  *out += ',';
  *out += json_key;
  *out += ':';
  if (std::isnan(value)) {
    *out += "NaN";
  } else if (std::isinf(value)) {
    *out += value > 0 ? "Infinity" : "-Infinity";
  } else {
    out->append(num, FormatDoubleTo(num, value));
  }
  *out += "}\n";
}

}  // namespace trail::metrics
