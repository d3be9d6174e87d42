#include "metrics/downsample.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace trail::metrics {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

struct Bucket {
  size_t first = kNone, last = kNone, min = kNone, max = kNone, nonfinite = kNone;
};

// x of point i on the chosen axis.
struct AxisOf {
  const SeriesView& s;
  XAxis axis;
  double origin;
  double operator()(size_t i) const {
    switch (axis) {
      case XAxis::kStep:
        return static_cast<double>(s.step[i]);
      case XAxis::kTime:
        return s.time[i];
      case XAxis::kRelative:
        return s.time[i] - origin;
    }
    return 0;
  }
};

}  // namespace

DownsampleResult Downsample(const SeriesView& series, const DownsampleOptions& options) {
  DownsampleResult out;
  const size_t n = std::min({series.step.size(), series.time.size(), series.value.size()});
  out.total = static_cast<int64_t>(n);
  if (n == 0) return out;
  AxisOf x_of{series, options.x, series.time[0]};
  const std::span<const double> value = series.value;

  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (size_t i = 0; i < n; ++i) {
    double x = x_of(i);
    if (x < lo) lo = x;  // NaN compares false: skipped
    if (x > hi) hi = x;
  }
  if (lo > hi) return out;  // no finite x at all
  out.x_min = lo;
  out.x_max = hi;
  const double from = options.from && std::isfinite(*options.from) ? *options.from : lo;
  const double to = options.to && std::isfinite(*options.to) ? *options.to : hi;
  if (from > to) return out;

  // The range's extremes: the first point reaching each (strict comparisons).
  size_t in_range = 0, min_i = kNone, max_i = kNone;
  for (size_t i = 0; i < n; ++i) {
    double x = x_of(i);
    if (!(x >= from && x <= to)) continue;
    ++in_range;
    double v = value[i];
    if (!std::isfinite(v)) continue;
    if (min_i == kNone || v < value[min_i]) min_i = i;
    if (max_i == kNone || v > value[max_i]) max_i = i;
  }
  out.in_range = static_cast<int64_t>(in_range);
  if (min_i != kNone) out.min = XY{x_of(min_i), value[min_i]};
  if (max_i != kNone) out.max = XY{x_of(max_i), value[max_i]};

  const int64_t points = std::max<int64_t>(options.points, 4);
  if (static_cast<int64_t>(in_range) <= points) {
    out.x.reserve(in_range);
    out.y.reserve(in_range);
    for (size_t i = 0; i < n; ++i) {
      double x = x_of(i);
      if (!(x >= from && x <= to)) continue;
      out.x.push_back(x);
      out.y.push_back(value[i]);
    }
    return out;
  }

  out.downsampled = true;
  const size_t buckets = static_cast<size_t>(std::max<int64_t>(1, points / 4));
  const double width = (to - from) / static_cast<double>(buckets);
  std::vector<Bucket> b(buckets);
  for (size_t i = 0; i < n; ++i) {
    double x = x_of(i);
    if (!(x >= from && x <= to)) continue;
    double pos = width > 0 ? (x - from) / width : 0;
    // NaN (an infinite width) and the right edge fall into the first and last bucket.
    size_t k = pos >= 0 ? (pos < static_cast<double>(buckets) ? static_cast<size_t>(pos) : buckets - 1) : 0;
    Bucket& bk = b[k];
    if (bk.first == kNone) bk.first = i;
    bk.last = i;
    double v = value[i];
    if (!std::isfinite(v)) {
      if (bk.nonfinite == kNone) bk.nonfinite = i;
      continue;
    }
    if (bk.min == kNone || v < value[bk.min]) bk.min = i;
    if (bk.max == kNone || v > value[bk.max]) bk.max = i;
  }
  std::vector<size_t> keep;
  keep.reserve(buckets * 5);
  for (const Bucket& bk : b) {
    for (size_t i : {bk.first, bk.min, bk.max, bk.last, bk.nonfinite})
      if (i != kNone) keep.push_back(i);
  }
  std::sort(keep.begin(), keep.end());
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  out.x.reserve(keep.size());
  out.y.reserve(keep.size());
  for (size_t i : keep) {
    out.x.push_back(x_of(i));
    out.y.push_back(value[i]);
  }
  return out;
}

}  // namespace trail::metrics
