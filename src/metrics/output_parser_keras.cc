#include "metrics/output_parser_keras.h"

#include <algorithm>

#include "base/numbers.h"

namespace trail::metrics::internal {
namespace {

constexpr std::string_view kItemSeparator = " - ";
constexpr std::string_view kKeras3BarChar = "\u2501";  // ━

// Reads a run of digits at the front of `s` as an integer and removes it.
std::optional<int64_t> TakeInteger(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) ++n;
  if (n == 0) return std::nullopt;
  std::optional<int64_t> value = ParseInt(s.substr(0, n));
  s.remove_prefix(n);
  return value;
}

// Adds `item` to `out` when it is "key: value" with a metric name and a number.
void ReadItem(std::string_view item, std::vector<PrintedValue>& out) {
  item = TrimSpaces(item);
  size_t colon = item.find(": ");
  if (colon == std::string_view::npos) return;
  std::string_view key = item.substr(0, colon);
  if (key == "ETA" || !IsMetricName(key)) return;
  if (std::optional<double> value = ParseMetricValue(TrimSpaces(item.substr(colon + 2)))) {
    out.push_back({key, *value});
  }
}

}  // namespace

std::optional<int64_t> ParseKerasEpochHeader(std::string_view line) {
  line = TrimSpaces(line);
  constexpr std::string_view kEpoch = "Epoch ";
  if (!line.starts_with(kEpoch)) return std::nullopt;
  line.remove_prefix(kEpoch.size());
  while (line.starts_with(' ')) line.remove_prefix(1);
  std::optional<int64_t> epoch = TakeInteger(line);
  if (!epoch || !line.starts_with('/')) return std::nullopt;
  line.remove_prefix(1);
  if (!TakeInteger(line) || !line.empty()) return std::nullopt;
  return epoch;
}

bool ParseKerasProgress(std::string_view line, KerasProgress& out) {
  out.values.clear();
  std::string_view s = TrimSpaces(line);
  std::optional<int64_t> current = TakeInteger(s);
  if (!current || !s.starts_with('/')) return false;
  s.remove_prefix(1);
  out.current = *current;
  if (s.starts_with("Unknown")) {
    out.target.reset();
    s.remove_prefix(7);
  } else {
    out.target = TakeInteger(s);
    if (!out.target) return false;
  }
  if (!s.empty() && s[0] != ' ') return false;
  s = TrimSpaces(s);
  // The bar: Keras 2's "[===>...]", Keras 3's run of ━ (its colours are gone by now), or none
  // (verbose=2, where " - " follows the counter at once; "N/Unknown" may go straight on to the
  // time).
  if (s.starts_with('[')) {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    s.remove_prefix(close + 1);
  } else if (s.starts_with(kKeras3BarChar)) {
    while (s.starts_with(kKeras3BarChar)) s.remove_prefix(kKeras3BarChar.size());
  } else if (out.target && !s.empty() && !s.starts_with("- ") && s != "-") {
    return false;  // with a known target Keras always draws a bar or writes " - "
  }
  // Items: what comes before the first separator after a bar is the time ("1s 15ms/step"), which
  // ReadItem skips like any item that is not "key: value".
  while (!s.empty()) {
    size_t sep = s.find(kItemSeparator);
    ReadItem(s.substr(0, sep), out.values);
    if (sep == std::string_view::npos) break;
    s.remove_prefix(sep + kItemSeparator.size());
  }
  // A leading "- " (verbose=2) leaves the first item as "- 1s" or "-": skipped like time items.
  return true;
}

bool KerasRecogniser::OnFinalLine(std::string_view line, double now, bool record, MetricSet& out) {
  if (std::optional<int64_t> epoch = ParseKerasEpochHeader(line)) {
    if (record) RecordHeld(out);
    epoch_ = epoch;
    epoch_recorded_ = false;
    has_held_ = false;
    return true;
  }
  if (!ParseKerasProgress(line, progress_)) return false;
  if (!record || !epoch_ || epoch_recorded_) return true;
  Hold(now, out);
  if (held_complete_ && HoldsValidation()) RecordHeld(out);
  return true;
}

void KerasRecogniser::Hold(double now, MetricSet& out) {
  const bool complete = progress_.target && progress_.current >= *progress_.target;
  if (!has_held_ || !held_complete_) {
    // Nothing reached the target yet: this line is the epoch's latest state.
    held_.clear();
    has_held_ = true;
    held_complete_ = complete;
    held_target_ = progress_.target;
    Merge(now);
    return;
  }
  if (complete && progress_.target == held_target_ && AddsAMetric()) {
    Merge(now);  // the epoch's real final line, after something printed in between
    return;
  }
  RecordHeld(out);  // another bar (evaluate): the epoch is over
}

void KerasRecogniser::Merge(double now) {
  for (const PrintedValue& v : progress_.values) {
    auto it = std::find_if(held_.begin(), held_.end(), [&](const auto& kv) { return kv.first == v.key; });
    if (it != held_.end()) {
      it->second = v.value;
    } else {
      held_.emplace_back(std::string(v.key), v.value);
    }
  }
  held_time_ = now;
}

bool KerasRecogniser::AddsAMetric() const {
  for (const PrintedValue& v : progress_.values) {
    if (std::none_of(held_.begin(), held_.end(), [&](const auto& kv) { return kv.first == v.key; })) return true;
  }
  return false;
}

bool KerasRecogniser::HoldsValidation() const {
  return std::any_of(held_.begin(), held_.end(), [](const auto& kv) { return kv.first.starts_with("val_"); });
}

void KerasRecogniser::Finish(MetricSet& out) {
  RecordHeld(out);
  has_held_ = false;
}

void KerasRecogniser::RecordHeld(MetricSet& out) {
  if (!has_held_ || !epoch_ || epoch_recorded_) return;
  for (const auto& [key, value] : held_) out.Add(key, *epoch_, held_time_, value);
  epoch_recorded_ = true;
  has_held_ = false;
}

}  // namespace trail::metrics::internal
