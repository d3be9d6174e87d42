#include "ingest/csv_log_parser.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "base/numbers.h"
#include "base/text.h"

namespace trail::ingest {
namespace {

// The padding Trim takes off a cell: spaces and tabs only, other control characters stay data.
constexpr std::string_view kCellPadding = " \t";

// The separator the header uses: the most frequent of ',' '\t' ';' outside quotes.
char DetectSeparator(std::string_view header) {
  int commas = 0, tabs = 0, semicolons = 0;
  bool quoted = false;
  for (char c : header) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    commas += c == ',';
    tabs += c == '\t';
    semicolons += c == ';';
  }
  if (tabs > commas && tabs >= semicolons) return '\t';
  if (semicolons > commas && semicolons > tabs) return ';';
  return ',';
}

constexpr size_t kNoId = static_cast<size_t>(-1);

std::optional<double> ParseCell(std::string_view cell) {
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
  return ParseDouble(cell);
}

std::optional<int64_t> ParseStep(std::string_view cell) {
  if (std::optional<int64_t> i = ParseInt(cell)) return i;
  // "3.0": an epoch written as a float.
  std::optional<double> d = ParseDouble(cell);
  if (d && std::isfinite(*d) && *d == std::floor(*d) && std::fabs(*d) < 9.0e18) return static_cast<int64_t>(*d);
  return std::nullopt;
}

}  // namespace

CsvLogParser::CsvLogParser(std::string source, std::string key_prefix)
    : warnings_(std::move(source)), key_prefix_(std::move(key_prefix)) {}

void CsvLogParser::Warn(std::vector<std::string>* warnings, const std::string& message) {
  warnings_.Add(warnings, "line " + std::to_string(lines_) + ": " + message);
}

void CsvLogParser::SplitCells(std::string_view line) {
  cells_.clear();
  size_t i = 0;
  for (;;) {
    std::string cell;
    // Leading blanks before an opening quote are allowed, as the csv module reads them.
    size_t j = i;
    while (j < line.size() && line[j] == ' ') ++j;
    if (j < line.size() && line[j] == '"') {
      i = j + 1;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        cell.push_back(line[i++]);
      }
      // Text between the closing quote and the separator is kept, as the csv module does.
      while (i < line.size() && line[i] != separator_) cell.push_back(line[i++]);
    } else {
      while (i < line.size() && line[i] != separator_) cell.push_back(line[i++]);
    }
    cells_.push_back(std::move(cell));
    if (i >= line.size()) return;
    ++i;  // the separator
  }
}

void CsvLogParser::ParseHeader(std::string_view line) {
  // A UTF-8 byte order mark, which spreadsheet programs add.
  if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  separator_ = DetectSeparator(line);
  SplitCells(line);
  for (size_t c = 0; c < cells_.size(); ++c) {
    columns_.emplace_back(Trim(cells_[c], kCellPadding));
    if (epoch_column_ < 0 && columns_.back() == "epoch") epoch_column_ = static_cast<int>(c);
  }
  column_warned_.assign(columns_.size(), false);
}

int64_t CsvLogParser::ParseLine(std::string_view line, double now, metrics::MetricSet& set,
                                std::vector<std::string>* warnings) {
  ++lines_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (Trim(line, kCellPadding).empty()) return 0;
  if (!has_header()) {
    ParseHeader(line);
    return 0;
  }
  if (&set != cached_set_) {
    cached_set_ = &set;
    ids_.assign(columns_.size(), kNoId);
  }
  SplitCells(line);
  const int64_t row = rows_++;
  if (cells_.size() != columns_.size() && !width_warned_) {
    width_warned_ = true;
    Warn(warnings, "has " + std::to_string(cells_.size()) + " cells but the header has " +
                       std::to_string(columns_.size()) + " columns; cells past the header are ignored");
  }
  int64_t step = row;
  if (epoch_column_ >= 0 && static_cast<size_t>(epoch_column_) < cells_.size()) {
    std::string_view cell = Trim(cells_[epoch_column_], kCellPadding);
    if (std::optional<int64_t> epoch = ParseStep(cell)) {
      step = *epoch;
    } else if (!epoch_warned_) {
      epoch_warned_ = true;
      Warn(warnings, "epoch '" + std::string(cell) + "' is not an integer; using the row number as the step");
    }
  }
  int64_t added = 0;
  const size_t n = std::min(cells_.size(), columns_.size());
  for (size_t c = 0; c < n; ++c) {
    if (static_cast<int>(c) == epoch_column_ || columns_[c].empty()) continue;
    std::string_view cell = Trim(cells_[c], kCellPadding);
    if (cell.empty() || cell == "NA") continue;
    std::optional<double> value = ParseCell(cell);
    if (!value) {
      if (!column_warned_[c]) {
        column_warned_[c] = true;
        Warn(warnings, "column '" + columns_[c] + "': '" + std::string(cell.substr(0, 40)) +
                           "' is not a number; such cells in this column are skipped");
      }
      continue;
    }
    // Interned on first use, so a column that never holds a number makes no empty series.
    if (ids_[c] == kNoId) ids_[c] = set.Intern(key_prefix_ + columns_[c]);
    set.AddById(ids_[c], step, now, *value);
    ++added;
  }
  return added;
}

}  // namespace trail::ingest
