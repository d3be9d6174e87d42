#include "datafile/csv_fields.h"

#include <cstdint>
#include <cstring>

namespace trail::datafile {
namespace {

// Parses the field starting at `at`, appending its unquoted text to `out` unless it is null
// (a field being skipped). Returns where the next field starts, or npos after the last field.
size_t ParseField(std::string_view row, size_t at, char delimiter, std::string* out) {
  if (at < row.size() && row[at] == '"') {
    size_t i = at + 1;
    while (true) {
      const void* q = std::memchr(row.data() + i, '"', row.size() - i);
      size_t quote = q ? static_cast<size_t>(static_cast<const char*>(q) - row.data()) : row.size();
      if (out) out->append(row.substr(i, quote - i));
      if (quote + 1 < row.size() && row[quote + 1] == '"') {  // an escaped quote
        if (out) *out += '"';
        i = quote + 2;
        continue;
      }
      at = quote + 1;  // after the closing quote (or past the end if it never closes)
      break;
    }
    if (at >= row.size()) return std::string_view::npos;
  }
  // Unquoted text, or text after a closing quote, which is kept as is.
  size_t end = row.find(delimiter, at);
  if (out) out->append(row.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
  return end == std::string_view::npos ? end : end + 1;
}

}  // namespace

std::string_view StripTerminator(std::string_view row) {
  if (!row.empty() && row.back() == '\n') row.remove_suffix(1);
  if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
  return row;
}

std::vector<std::string> SplitCsvFields(std::string_view row, char delimiter, size_t max_fields) {
  row = StripTerminator(row);
  std::vector<std::string> fields;
  size_t at = 0;
  while (fields.size() < max_fields) {
    fields.emplace_back();
    at = ParseField(row, at, delimiter, &fields.back());
    if (at == std::string_view::npos) break;
  }
  return fields;
}

bool CsvFieldAt(std::string_view row, char delimiter, size_t index, std::string* out) {
  row = StripTerminator(row);
  out->clear();
  size_t at = 0;
  for (size_t i = 0; i < index; ++i) {
    at = ParseField(row, at, delimiter, nullptr);
    if (at == std::string_view::npos) return false;
  }
  ParseField(row, at, delimiter, out);
  return true;
}

}  // namespace trail::datafile
