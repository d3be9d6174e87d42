#include "base/numbers.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace trail {

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

std::optional<int64_t> ParseInt(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 5) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  if (unit == 0)
    std::snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(bytes));
  else
    std::snprintf(buf, sizeof(buf), v < 10 ? "%.2f %s" : (v < 100 ? "%.1f %s" : "%.0f %s"), v, kUnits[unit]);
  return buf;
}

}  // namespace trail
