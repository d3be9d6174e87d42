#include "table.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "trail/format.h"

namespace trail::cli {
namespace {

bool IsNumeric(const std::string& s) { return !s.empty() && (api::ParseNumber(s) || s == "nan" || s == "inf"); }

// Terminal columns, so CJK and emoji cells line up; colour codes (terminal.h's "ESC [ ... m")
// take none, so a coloured cell pads as its text does.
size_t Width(const std::string& s) {
  if (s.find('\033') == std::string::npos) return api::DisplayWidth(s);
  std::string text;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\033' && i + 1 < s.size() && s[i + 1] == '[') {
      size_t j = i + 2;
      while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';')) ++j;
      if (j < s.size() && s[j] == 'm') {
        i = j;
        continue;
      }
    }
    text += s[i];
  }
  return api::DisplayWidth(text);
}

}  // namespace

std::string RenderTable(const Row& header, const std::vector<Row>& rows) {
  std::vector<size_t> width(header.size(), 0);
  std::vector<bool> numeric(header.size(), true);
  for (size_t c = 0; c < header.size(); ++c) width[c] = Width(header[c]);
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size() && c < header.size(); ++c) {
      width[c] = std::max(width[c], Width(r[c]));
      if (!r[c].empty() && !IsNumeric(r[c])) numeric[c] = false;
    }
  }
  std::string out;
  auto emit = [&](const Row& r) {
    std::string line;
    for (size_t c = 0; c < header.size(); ++c) {
      const std::string cell = c < r.size() ? r[c] : "";
      std::string pad(width[c] - Width(cell), ' ');
      if (c) line += "  ";
      line += numeric[c] ? pad + cell : cell + (c + 1 < header.size() ? pad : "");
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header);
  for (const auto& r : rows) emit(r);
  return out;
}

std::string CsvLine(const Row& r) {
  std::string out;
  for (size_t c = 0; c < r.size(); ++c) {
    if (c) out += ',';
    const std::string& f = r[c];
    if (f.find_first_of(",\"\n\r") != std::string::npos) {
      out += '"';
      for (char ch : f) {
        if (ch == '"') out += '"';
        out += ch;
      }
      out += '"';
    } else {
      out += f;
    }
  }
  return out + "\n";
}

std::string Cell(const Json& v) {
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d)) return api::FormatNumber(d);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", d);
    return buf;
  }
  return api::ScalarText(v);
}

std::string LocalTime(const std::string& iso) {
  auto t = api::ParseIsoTime(iso);
  if (!t) return iso;
  time_t secs = static_cast<time_t>(*t);
  struct tm tm;
  localtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace trail::cli
