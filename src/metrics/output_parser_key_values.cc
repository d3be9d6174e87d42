#include "metrics/output_parser_key_values.h"

#include <cstdint>
#include <optional>

#include "base/numbers.h"

namespace trail::metrics::internal {
namespace {

// No number is longer; also what keeps a line of "a:a:a:..." linear to scan.
constexpr size_t kMaxValueBytes = 64;
// A line with more is not a metrics line; the cap bounds the duplicate-key check.
constexpr size_t kMaxMetricsPerLine = 256;

enum class StepKind { kNone, kStep, kEpoch };

StepKind StepKindOf(std::string_view key) {
  if (EqualsIgnoringCase(key, "epoch")) return StepKind::kEpoch;
  static constexpr std::string_view kStepWords[] = {"step", "iter", "iteration", "global_step"};
  for (std::string_view word : kStepWords) {
    if (EqualsIgnoringCase(key, word)) return StepKind::kStep;
  }
  return StepKind::kNone;
}

bool EndsValue(char c, StepKind kind) {
  switch (c) {
    case ' ':
    case '\t':
    case ',':
    case ';':
    case '|':
    case ')':
    case ']':
    case '}':
    case '"':
    case '\'':
      return true;
    case ':':
    case '/':  // "epoch 3:", "step 100/1000"
      return kind != StepKind::kNone;
    default:
      return false;
  }
}

}  // namespace

int KeyValueRecogniser::OnFinalLine(std::string_view line, double now, MetricSet& out) {
  values_.clear();
  std::optional<int64_t> step, epoch;
  const size_t n = line.size();
  size_t i = 0;
  while (i < n) {
    // A key starts a word, bare or in quotes.
    char quote = 0;
    size_t key_begin = i;
    if ((line[i] == '\'' || line[i] == '"') && i + 1 < n && IsMetricNameStart(line[i + 1])) {
      quote = line[i];
      key_begin = i + 1;
    } else if (!IsMetricNameStart(line[i])) {
      ++i;
      continue;
    }
    if (i > 0 && IsMetricNameChar(line[i - 1])) {
      ++i;
      continue;
    }
    size_t key_end = key_begin;
    while (key_end < n && IsMetricNameChar(line[key_end])) ++key_end;
    std::string_view key = line.substr(key_begin, key_end - key_begin);
    // Whatever fails below, scanning resumes after the key: "INFO:root:epoch=3" has its metric
    // inside what looked like the value of "INFO".
    i = key_end;
    size_t v = key_end;
    if (quote != 0 && v < n && line[v] == quote) ++v;  // else a quoted text that starts with a key
    const StepKind kind = StepKindOf(key);
    const size_t after_key = v;
    while (v < n && IsSpaceOrTab(line[v])) ++v;
    if (v < n && (line[v] == '=' || line[v] == ':')) {
      ++v;
      while (v < n && IsSpaceOrTab(line[v])) ++v;
    } else if (kind == StepKind::kNone || v == after_key) {
      continue;  // only step keys may be followed by their value with just a space
    }
    size_t end = v;
    while (end < n && end - v <= kMaxValueBytes && !EndsValue(line[end], kind)) ++end;
    if (end - v > kMaxValueBytes) continue;  // a prefix of a long token is not its value
    std::string_view token = line.substr(v, end - v);
    if (kind == StepKind::kNone) {
      std::optional<double> value = ParseMetricValue(token);
      if (!value) continue;
      bool seen = false;
      for (const PrintedValue& pv : values_) seen |= pv.key == key;
      if (!seen && values_.size() < kMaxMetricsPerLine) values_.push_back({key, *value});
    } else {
      std::optional<int64_t> value = ParseInt(token);
      if (!value) continue;
      std::optional<int64_t>& slot = kind == StepKind::kStep ? step : epoch;
      if (!slot) slot = value;
    }
    i = end;
  }
  if (!step) step = epoch;
  for (const PrintedValue& pv : values_) {
    size_t id = out.Intern(pv.key);
    out.AddById(id, step ? *step : out.SeriesSizeById(id), now, pv.value);
  }
  return static_cast<int>(values_.size());
}

}  // namespace trail::metrics::internal
