#include "metrics/series_columns.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <string>

#include "metrics/series_tsv.h"

namespace trail::metrics {
namespace {

constexpr std::string_view kColumnsHeader = "step\ttime\tvalue\n";

// Parses a number that must end at `delim`; advances `p` past the delimiter. Accepts only
// SeriesToTsv's spellings: an optional '-' then a digit (from_chars alone would also take
// "infinity" or "nan(1)"), or exactly "nan", "inf", "-inf".
inline bool ParseDoubleField(const char*& p, const char* end, char delim, double& out) {
  const char* s = p;
  const char* digit = (s < end && *s == '-') ? s + 1 : s;
  if (digit < end && *digit >= '0' && *digit <= '9') {
    auto [ptr, ec] = std::from_chars(s, end, out);
    if (ec != std::errc() || ptr == end || *ptr != delim) return false;
    p = ptr + 1;
    return true;
  }
  auto word = [&](std::string_view w) {
    return static_cast<size_t>(end - s) > w.size() && std::memcmp(s, w.data(), w.size()) == 0 && s[w.size()] == delim;
  };
  if (word("nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
    p = s + 4;
  } else if (word("inf")) {
    out = std::numeric_limits<double>::infinity();
    p = s + 4;
  } else if (word("-inf")) {
    out = -std::numeric_limits<double>::infinity();
    p = s + 5;
  } else {
    return false;
  }
  return true;
}

// SeriesToTsv writes a finite time as digits, '.', exactly 3 digits. Such a time with at most 15
// digits is an integer count of milliseconds below 2^53, and dividing it by 1000 (one correctly
// rounded IEEE division) gives the double nearest the decimal, which is what from_chars gives:
// the same bits, without the general parser. Anything else takes ParseDoubleField.
inline bool ParseMillisTime(const char*& p, const char* end, double& out) {
  const char* s = p;
  uint64_t ms = 0;
  int digits = 0;
  while (s < end && *s >= '0' && *s <= '9' && digits < 12) {
    ms = ms * 10 + static_cast<uint64_t>(*s - '0');
    ++s;
    ++digits;
  }
  if (digits == 0 || end - s < 5 || s[0] != '.' || s[4] != '\t') return false;
  for (int k = 1; k <= 3; ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
    ms = ms * 10 + static_cast<uint64_t>(s[k] - '0');
  }
  if (digits > 1 && p[0] == '0') return false;  // a leading zero: leave it to from_chars
  out = static_cast<double>(ms) / 1000.0;
  p = s + 5;
  return true;
}

// The reason a line the fast path refused is wrong, in SeriesFromTsv's words: it is parsed
// again alone (with the header in front, so the line number is right).
Status ColumnsLineError(size_t line_no, std::string_view rest) {
  size_t nl = rest.find('\n');
  std::string one = std::string(kColumnsHeader);
  one.append(rest.substr(0, nl == rest.npos ? rest.size() : nl + 1));
  auto parsed = SeriesFromTsv(one);
  std::string what = "malformed line";
  if (!parsed.ok()) {
    const std::string& m = parsed.status().message();
    size_t colon = m.find(": ");
    what = colon == m.npos ? m : m.substr(colon + 2);
  }
  return Corrupt("line " + std::to_string(line_no) + ": " + what);
}

}  // namespace

StatusOr<SeriesColumns> ParseSeriesColumns(std::string_view tsv) {
  if (tsv.empty()) return Corrupt("line 1: missing header (empty file)");
  if (tsv.substr(0, kColumnsHeader.size()) != kColumnsHeader) {
    if (tsv.find('\n') == tsv.npos) return Corrupt("line 1: no newline at end (truncated file?)");
    return Corrupt("line 1: header is not \"step\\ttime\\tvalue\"");
  }
  const char* p = tsv.data() + kColumnsHeader.size();
  const char* end = tsv.data() + tsv.size();
  size_t lines = static_cast<size_t>(std::count(p, end, '\n'));
  SeriesColumns out;
  out.step.reserve(lines);
  out.time.reserve(lines);
  out.value.reserve(lines);
  size_t line_no = 1;
  while (p < end) {
    ++line_no;
    const char* line = p;
    int64_t step;
    double time, value;
    auto [ptr, ec] = std::from_chars(p, end, step);
    bool ok = ec == std::errc() && ptr != p && ptr < end && *ptr == '\t';
    if (ok) {
      p = ptr + 1;
      ok = (ParseMillisTime(p, end, time) || ParseDoubleField(p, end, '\t', time)) &&
           ParseDoubleField(p, end, '\n', value);
    }
    if (!ok) return ColumnsLineError(line_no, std::string_view(line, static_cast<size_t>(end - line)));
    out.step.push_back(step);
    out.time.push_back(time);
    out.value.push_back(value);
  }
  return out;
}

}  // namespace trail::metrics
