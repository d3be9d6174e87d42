// Fuzzes the metrics parsers that read what a training script writes: the line protocol
// (LineParser, and under it both scanners) and the series file (SeriesFromTsv).
//
// Checks, beyond "never crashes":
//   - Both scanners agree with an independent reference reading of the line
//     (reference_line_scan.h): same verdict for the slow scanner, same fields whenever either
//     accepts.
//   - LineParser's count is exactly the points it added, a rejected line adds nothing, and the
//     points added are the ones line_parser.h's rules give for the reference fields -- for the
//     input as one line and for its '\n'-separated lines fed in turn to one parser (which
//     exercises the shape cache across lines).
//   - Each series' Summary agrees with its points.
//   - Whatever SeriesFromTsv accepts goes through SeriesToTsv and back: steps and values exact,
//     times to the millisecond, and a second trip changes nothing.
//   - ParseSeriesColumns (the charts' parser) gives SeriesFromTsv's verdict, reason, line and
//     points; Downsample of what it parsed keeps the range's min and max among its points, in
//     series order, and no more than 5 points per bucket.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/check.h"
#include "fuzz/reference_line_scan.h"
#include "metrics/downsample.h"
#include "metrics/fast_scan.h"
#include "metrics/json_scan.h"
#include "metrics/line_parser.h"
#include "metrics/series_columns.h"
#include "metrics/series_tsv.h"

namespace trail::fuzz {
namespace {

using metrics::Point;
using metrics::internal::Field;
using metrics::internal::FieldBuffer;

constexpr double kNow = 1700000000.25;

bool SameField(const Field& f, const RefField& r) {
  if (f.key != r.key || f.kind != r.kind || f.integer_token != r.integer_token) return false;
  if (f.integer_token && f.integer != r.integer) return false;
  return SameDouble(f.value, r.value);
}

void CheckFields(std::string_view scanner, std::string_view line, const FieldBuffer& got,
                 const std::vector<RefField>& want) {
  auto note = [&] { return std::string(scanner) + " scanner disagrees with the reference on: " + Escaped(line); };
  FUZZ_CHECK(got.fields.size() == want.size(), note());
  for (size_t i = 0; i < want.size(); ++i) {
    FUZZ_CHECK(SameField(got.fields[i], want[i]),
               note() + " (field " + std::to_string(i) + " '" + Escaped(want[i].key) + "')");
  }
}

// The scanners against the reference; returns the reference's fields.
std::optional<std::vector<RefField>> CheckScanners(std::string_view line) {
  std::optional<std::vector<RefField>> want = RefLineScanner(line).Run();
  FieldBuffer slow;
  Status status = metrics::internal::ScanJsonLine(line, slow);
  FUZZ_CHECK(status.ok() == want.has_value(),
             (status.ok() ? "slow scanner accepts an invalid line: "
                          : "slow scanner rejects a valid line (" + status.message() + "): ") +
                 Escaped(line));
  if (status.ok()) CheckFields("slow", line, slow, *want);
  FieldBuffer fast;
  if (metrics::internal::ScanFlatLine(line, fast)) {
    FUZZ_CHECK(want.has_value(), "fast scanner accepts an invalid line: " + Escaped(line));
    CheckFields("fast", line, fast, *want);
  }
  return want;
}

// line_fields.h's rules, applied to the reference fields: the model of a MetricSet.
class ModelSet {
 public:
  // The points the line adds, or nullopt when the rules reject it.
  std::optional<int> Commit(const std::vector<RefField>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (fields[i].key == fields[j].key) return std::nullopt;
      }
    }
    auto find = [&](std::string_view key) -> const RefField* {
      for (const RefField& f : fields) {
        if (f.key == key) return &f;
      }
      return nullptr;
    };
    const RefField* step_source = find("step") ? find("step") : find("epoch");
    std::optional<int64_t> step;
    if (step_source) {
      if (step_source->kind != Field::Kind::kNumber) return std::nullopt;
      if (step_source->integer_token) {
        step = step_source->integer;
      } else {
        double v = step_source->value;
        if (!(v >= -0x1p63 && v < 0x1p63) || std::trunc(v) != v) return std::nullopt;
        step = static_cast<int64_t>(v);
      }
    }
    auto finite = [](const RefField* f) { return f && f->kind == Field::Kind::kNumber && std::isfinite(f->value); };
    double time = finite(find("time"))        ? find("time")->value
                  : finite(find("timestamp")) ? find("timestamp")->value
                                              : kNow;
    int added = 0;
    for (const RefField& f : fields) {
      if (f.kind == Field::Kind::kIgnored || &f == step_source || f.key == "time" || f.key == "timestamp") continue;
      auto [it, inserted] = series_.try_emplace(f.key);
      if (inserted) keys_.push_back(f.key);
      std::vector<Point>& points = it->second;
      points.push_back(Point{step ? *step : static_cast<int64_t>(points.size()), time, f.value});
      ++added;
    }
    return added;
  }

  // The set must hold exactly the model's series, in first-seen order.
  void ExpectSame(const metrics::MetricSet& set, std::string_view input) const {
    auto note = [&] { return "metric set differs from the model after: " + Escaped(input); };
    FUZZ_CHECK(set.Keys() == keys_, note());
    int64_t total = 0;
    for (const std::string& key : keys_) {
      const std::vector<Point>* got = set.Series(key);
      const std::vector<Point>& want = series_.at(key);
      FUZZ_CHECK(got != nullptr && got->size() == want.size(), note() + " (series " + Escaped(key) + ")");
      for (size_t i = 0; i < want.size(); ++i) {
        const Point& a = (*got)[i];
        const Point& b = want[i];
        FUZZ_CHECK(a.step == b.step && SameDouble(a.time, b.time) && SameDouble(a.value, b.value),
                   note() + " (series " + Escaped(key) + " point " + std::to_string(i) + ")");
      }
      total += static_cast<int64_t>(want.size());
    }
    FUZZ_CHECK(set.TotalPoints() == total, note());
  }

 private:
  std::vector<std::string> keys_;
  std::map<std::string, std::vector<Point>> series_;
};

// metric_set.h's Summary contract, recomputed from the points.
void CheckSummaries(const metrics::MetricSet& set) {
  for (const std::string& key : set.Keys()) {
    const std::vector<Point>& points = *set.Series(key);
    std::optional<metrics::Summary> s = set.Summarize(key);
    FUZZ_CHECK(s.has_value() && !points.empty(), "no summary for " + Escaped(key));
    const Point* min = nullptr;
    const Point* max = nullptr;
    for (const Point& p : points) {
      if (std::isnan(p.value)) continue;
      if (!min || p.value < min->value) min = &p;
      if (!max || p.value > max->value) max = &p;
    }
    auto note = [&] { return "summary of " + Escaped(key); };
    FUZZ_CHECK(s->count == static_cast<int64_t>(points.size()), note());
    FUZZ_CHECK(SameDouble(s->last, points.back().value) && s->last_step == points.back().step, note());
    FUZZ_CHECK(SameDouble(s->last_time, points.back().time) && SameDouble(s->first_time, points.front().time), note());
    if (min) {
      // -0.0 and 0.0 tie, so only the value is compared bit-blind here.
      FUZZ_CHECK(s->min == min->value && s->min_step == min->step, note() + " (min)");
      FUZZ_CHECK(s->max == max->value && s->max_step == max->step, note() + " (max)");
    } else {
      FUZZ_CHECK(std::isnan(s->min) && std::isnan(s->max), note() + " (all NaN)");
      FUZZ_CHECK(s->min_step == points.front().step && s->max_step == points.front().step, note() + " (all NaN)");
    }
  }
}

// One line through `parser` into `set`, checked against the model.
void ParseLine(metrics::LineParser& parser, metrics::MetricSet& set, ModelSet& model, std::string_view line) {
  std::optional<std::vector<RefField>> fields = CheckScanners(line);
  std::optional<int> want;
  if (fields) want = model.Commit(*fields);
  bool blank = line.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank) want = 0;  // blank lines are neither points nor errors

  int64_t before = set.TotalPoints();
  size_t keys_before = set.NumKeys();
  StatusOr<int> added = parser.Parse(line, kNow, set);
  if (!added.ok()) {
    FUZZ_CHECK(!want.has_value(), "rejected a valid line (" + added.status().message() + "): " + Escaped(line));
    FUZZ_CHECK(added.status().code() == Code::kInvalidArgument && !added.status().message().empty(),
               added.status().message());
    if (line.find('\n') == std::string_view::npos) {
      FUZZ_CHECK(added.status().message().find('\n') == std::string::npos, "multi-line error message");
    }
    FUZZ_CHECK(set.TotalPoints() == before && set.NumKeys() == keys_before, "a rejected line added points");
    return;
  }
  FUZZ_CHECK(want.has_value(), "accepted an invalid line: " + Escaped(line));
  FUZZ_CHECK(*added == *want, "count differs from the model for: " + Escaped(line));
  FUZZ_CHECK(set.TotalPoints() - before == *added, "count is not the points added: " + Escaped(line));
}

void FuzzLineProtocol(std::string_view input) {
  {
    metrics::LineParser parser;
    metrics::MetricSet set;
    ModelSet model;
    ParseLine(parser, set, model, input);
    model.ExpectSame(set, input);
    CheckSummaries(set);
  }
  if (input.find('\n') == std::string_view::npos) return;
  metrics::LineParser parser;
  metrics::MetricSet set;
  ModelSet model;
  std::string_view rest = input;
  for (;;) {
    size_t nl = rest.find('\n');
    ParseLine(parser, set, model, rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  model.ExpectSame(set, input);
  CheckSummaries(set);
}

void CheckDownsample(const metrics::SeriesColumns& cols, std::string_view input) {
  for (int64_t budget : {4, 8, 1000}) {
    metrics::DownsampleOptions options;
    options.points = budget;
    metrics::DownsampleResult r = metrics::Downsample({cols.step, cols.time, cols.value}, options);
    auto note = [&] { return "Downsample to " + std::to_string(budget) + " of " + Escaped(input); };
    FUZZ_CHECK(r.x.size() == r.y.size() && r.total == static_cast<int64_t>(cols.size()), note());
    FUZZ_CHECK(r.x.size() <= static_cast<size_t>(std::max<int64_t>(1, budget / 4) * 5), note());
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < cols.size(); ++i) {
      if (!std::isfinite(cols.value[i])) continue;
      lo = std::min(lo, cols.value[i]);
      hi = std::max(hi, cols.value[i]);
    }
    FUZZ_CHECK(r.min.has_value() == (lo <= hi) && r.max.has_value() == (lo <= hi), note());
    if (!r.min) continue;
    FUZZ_CHECK(r.min->y == lo && r.max->y == hi, note());
    bool min_kept = false, max_kept = false;
    for (size_t i = 0; i < r.x.size(); ++i) {
      min_kept |= r.x[i] == r.min->x && r.y[i] == r.min->y;
      max_kept |= r.x[i] == r.max->x && r.y[i] == r.max->y;
    }
    FUZZ_CHECK(min_kept && max_kept, note());
  }
}

void FuzzSeriesColumns(std::string_view input, const StatusOr<std::vector<Point>>& points) {
  StatusOr<metrics::SeriesColumns> cols = metrics::ParseSeriesColumns(input);
  FUZZ_CHECK(cols.ok() == points.ok(), "ParseSeriesColumns and SeriesFromTsv disagree on " + Escaped(input));
  if (!points.ok()) {
    FUZZ_CHECK("series " + cols.status().message() == points.status().message(),
               cols.status().message() + " vs " + points.status().message());
    return;
  }
  FUZZ_CHECK(cols->size() == points->size(), Escaped(input));
  for (size_t i = 0; i < points->size(); ++i) {
    const Point& p = (*points)[i];
    FUZZ_CHECK(cols->step[i] == p.step && SameDouble(cols->time[i], p.time) && SameDouble(cols->value[i], p.value),
               "ParseSeriesColumns point " + std::to_string(i) + " differs: " + Escaped(input));
  }
  CheckDownsample(*cols, input);
}

void FuzzSeriesFile(std::string_view input) {
  StatusOr<std::vector<Point>> points = metrics::SeriesFromTsv(input);
  FuzzSeriesColumns(input, points);
  if (!points.ok()) {
    FUZZ_CHECK(points.status().code() == Code::kCorrupt, points.status().message());
    FUZZ_CHECK(points.status().message().starts_with("series line "), points.status().message());
    return;
  }
  std::string text = metrics::SeriesToTsv(*points);
  StatusOr<std::vector<Point>> again = metrics::SeriesFromTsv(text);
  FUZZ_CHECK(again.ok(), "SeriesToTsv wrote what SeriesFromTsv rejects: " + Escaped(text));
  FUZZ_CHECK(again->size() == points->size(), Escaped(text));
  for (size_t i = 0; i < points->size(); ++i) {
    const Point& a = (*points)[i];
    const Point& b = (*again)[i];
    auto note = [&] { return "series point " + std::to_string(i) + " changed in a round trip: " + Escaped(input); };
    FUZZ_CHECK(a.step == b.step && SameDouble(a.value, b.value), note());
    if (std::isfinite(a.time)) {
      // Rounded to 3 decimals, then read back to the nearest double.
      double slack = 0.0005 + 2 * (std::nextafter(std::fabs(a.time), INFINITY) - std::fabs(a.time));
      FUZZ_CHECK(std::fabs(a.time - b.time) <= slack, note());
    } else {
      FUZZ_CHECK(SameDouble(a.time, b.time), note());
    }
  }
  FUZZ_CHECK(metrics::SeriesToTsv(*again) == text, "a second round trip changed the series: " + Escaped(input));
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  trail::fuzz::FuzzLineProtocol(input);
  trail::fuzz::FuzzSeriesFile(input);
  return 0;
}
