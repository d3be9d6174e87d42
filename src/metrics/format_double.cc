#include "metrics/format_double.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace trail::metrics {

char* FormatDoubleTo(char* buf, double v) {
  if (std::isnan(v)) {
    std::memcpy(buf, "nan", 3);
    return buf + 3;
  }
  if (std::isinf(v)) {
    const char* text = v > 0 ? "inf" : "-inf";
    size_t n = std::strlen(text);
    std::memcpy(buf, text, n);
    return buf + n;
  }
  // 32 bytes hold the longest shortest form ("-2.2250738585072014e-308" is 24).
  return std::to_chars(buf, buf + 32, v).ptr;
}

std::string FormatDouble(double v) {
  char buf[32];
  return std::string(buf, FormatDoubleTo(buf, v));
}

}  // namespace trail::metrics
