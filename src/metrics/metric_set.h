// MetricSet: every metric series of one run, in memory, with running summaries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace trail::metrics {

struct Point {
  int64_t step;
  double time;   // unix seconds
  double value;  // may be NaN or infinite
};

// What `trail` shows for a metric without reading its whole series.
// min/max ignore NaN values (a series that is all NaN has NaN min and max);
// min_step/max_step are the steps of the FIRST point that reached the min/max,
// or of the first point when the series is all NaN. last/last_step/last_time
// describe the most recently added point, first_time the earliest added one.
struct Summary {
  double last, min, max;
  int64_t count;
  int64_t last_step, min_step, max_step;
  double first_time, last_time;
};

class MetricSet {
 public:
  // Appends a point to the series named `key`, creating it on first use.
  void Add(std::string_view key, int64_t step, double time, double value);

  // Metric names in the order they were first seen.
  std::vector<std::string> Keys() const;

  // The points of `key` in the order they were added, or nullptr if unknown.
  // The pointer stays valid for the life of the set (later Adds may grow
  // the vector it points to, so do not hold iterators across Adds).
  const std::vector<Point>* Series(std::string_view key) const;

  // O(1): summaries are kept up to date by Add.
  std::optional<Summary> Summarize(std::string_view key) const;

  int64_t TotalPoints() const { return total_points_; }

  // Id-based access for the line parser, which resolves each key once per
  // line. Ids are dense (0, 1, 2, ... in first-seen order) and never change.
  size_t Intern(std::string_view key);
  size_t NumKeys() const { return series_.size(); }
  std::string_view KeyById(size_t id) const { return series_[id].key; }
  void AddById(size_t id, int64_t step, double time, double value);
  // The metric's own count: the step the protocol gives a point whose line has no step or epoch.
  int64_t SeriesSizeById(size_t id) const {
    return series_[id].counted_before + static_cast<int64_t>(series_[id].points.size());
  }

  // For a reader that continues a metrics file another set read the start of (a live chart
  // polling it): `key`'s own count starts at `count`, the points read before, so the steps of
  // lines without one go on as the recorder numbers them. Adds no point.
  void ContinueCount(std::string_view key, int64_t count) { series_[Intern(key)].counted_before = count; }

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct SeriesData {
    std::string key;
    std::vector<Point> points;
    Summary summary{};
    int64_t counted_before = 0;  // ContinueCount
  };

  const SeriesData* Find(std::string_view key) const;

  // A deque so that pointers handed out by Series() survive new keys.
  std::deque<SeriesData> series_;
  std::unordered_map<std::string, size_t, KeyHash, std::equal_to<>> index_;
  int64_t total_points_ = 0;
};

}  // namespace trail::metrics
