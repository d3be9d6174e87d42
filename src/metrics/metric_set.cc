#include "metrics/metric_set.h"

#include <cmath>

namespace trail::metrics {

size_t MetricSet::Intern(std::string_view key) {
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  size_t id = series_.size();
  series_.push_back(SeriesData{std::string(key), {}, {}, 0});
  index_.emplace(std::string(key), id);
  return id;
}

void MetricSet::AddById(size_t id, int64_t step, double time, double value) {
  SeriesData& s = series_[id];
  Summary& sum = s.summary;
  if (s.points.empty()) {
    sum = Summary{value, value, value, 0, step, step, step, time, time};
  } else if (!std::isnan(value)) {
    // A NaN min means every earlier value was NaN: the first real value
    // becomes both min and max. Strict comparisons keep the FIRST extreme.
    if (std::isnan(sum.min)) {
      sum.min = sum.max = value;
      sum.min_step = sum.max_step = step;
    } else {
      if (value < sum.min) {
        sum.min = value;
        sum.min_step = step;
      }
      if (value > sum.max) {
        sum.max = value;
        sum.max_step = step;
      }
    }
  }
  sum.last = value;
  sum.last_step = step;
  sum.last_time = time;
  ++sum.count;
  s.points.push_back(Point{step, time, value});
  ++total_points_;
}

void MetricSet::Add(std::string_view key, int64_t step, double time, double value) {
  AddById(Intern(key), step, time, value);
}

std::vector<std::string> MetricSet::Keys() const {
  std::vector<std::string> keys;
  keys.reserve(series_.size());
  for (const SeriesData& s : series_) keys.push_back(s.key);
  return keys;
}

const MetricSet::SeriesData* MetricSet::Find(std::string_view key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &series_[it->second];
}

const std::vector<Point>* MetricSet::Series(std::string_view key) const {
  const auto* s = Find(key);
  return s ? &s->points : nullptr;
}

std::optional<Summary> MetricSet::Summarize(std::string_view key) const {
  const auto* s = Find(key);
  if (s == nullptr || s->points.empty()) return std::nullopt;
  return s->summary;
}

}  // namespace trail::metrics
