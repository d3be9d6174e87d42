#include "metrics/series_tsv.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>

#include "base/numbers.h"

namespace trail::metrics {
namespace {

constexpr std::string_view kHeader = "step\ttime\tvalue";

// Accepts exactly what SeriesToTsv writes: from_chars alone would also take
// "infinity", "NAN" or "nan(123)".
bool ParseDouble(std::string_view s, double& out) {
  if (s == "nan") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (s == "inf" || s == "-inf") {
    out = s[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  size_t digit = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (digit >= s.size() || !(s[digit] >= '0' && s[digit] <= '9')) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool ParseInt(std::string_view s, int64_t& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
}

Status LineError(size_t line, std::string_view what) { return Corrupt(fmt::format("series line {}: {}", line, what)); }

}  // namespace

std::string SeriesToTsv(const std::vector<Point>& points) {
  std::string out;
  out.reserve(kHeader.size() + 1 + points.size() * 40);
  out.append(kHeader);
  out.push_back('\n');
  char buf[32];
  for (const Point& p : points) {
    out.append(buf, std::to_chars(buf, buf + sizeof buf, p.step).ptr);
    out.push_back('\t');
    if (std::isfinite(p.time)) {
      fmt::format_to(std::back_inserter(out), "{:.3f}", p.time);
    } else {
      out.append(buf, FormatDoubleTo(buf, p.time));
    }
    out.push_back('\t');
    out.append(buf, FormatDoubleTo(buf, p.value));
    out.push_back('\n');
  }
  return out;
}

StatusOr<std::vector<Point>> SeriesFromTsv(std::string_view text) {
  std::vector<Point> points;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    if (nl == text.npos) return LineError(line_no, "no newline at end (truncated file?)");
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line_no == 1) {
      if (line != kHeader) return LineError(1, "header is not \"step\\ttime\\tvalue\"");
      continue;
    }
    size_t tab1 = line.find('\t');
    size_t tab2 = tab1 == line.npos ? line.npos : line.find('\t', tab1 + 1);
    if (tab2 == line.npos || line.find('\t', tab2 + 1) != line.npos) {
      return LineError(line_no, "expected 3 tab-separated fields");
    }
    Point p;
    if (!ParseInt(line.substr(0, tab1), p.step)) return LineError(line_no, "bad step");
    if (!ParseDouble(line.substr(tab1 + 1, tab2 - tab1 - 1), p.time)) {
      return LineError(line_no, "bad time");
    }
    if (!ParseDouble(line.substr(tab2 + 1), p.value)) return LineError(line_no, "bad value");
    points.push_back(p);
  }
  if (line_no == 0) return LineError(1, "missing header (empty file)");
  return points;
}

}  // namespace trail::metrics
