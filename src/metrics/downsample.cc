#include "metrics/downsample.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace trail::metrics {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

// A bucket's kept points by index, with the values of its extremes beside them so the hot loop
// compares without a second load.
struct Bucket {
  size_t first = kNone, last = kNone, min = kNone, max = kNone, nonfinite = kNone;
  double min_v = 0, max_v = 0;
};

// The whole downsampling for one axis; `x_of(i)` is point i's x. A template, so the axis is
// chosen once and not per point.
template <class XOf>
DownsampleResult Run(const SeriesView& series, size_t n, const DownsampleOptions& options, XOf x_of) {
  DownsampleResult out;
  out.total = static_cast<int64_t>(n);
  const double* value = series.value.data();

  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (size_t i = 0; i < n; ++i) {
    double x = x_of(i);
    lo = x < lo ? x : lo;  // NaN compares false: skipped
    hi = x > hi ? x : hi;
  }
  if (lo > hi) return out;  // no finite x at all
  out.x_min = lo;
  out.x_max = hi;
  const double from = options.from && std::isfinite(*options.from) ? *options.from : lo;
  const double to = options.to && std::isfinite(*options.to) ? *options.to : hi;
  if (from > to) return out;

  // One pass: points in range, and per bucket its first, last, lowest and highest (strict
  // comparisons: the first point reaching each) and first non-finite point.
  const int64_t points = std::max<int64_t>(options.points, 4);
  const size_t buckets = static_cast<size_t>(std::max<int64_t>(1, points / 4));
  const double width = (to - from) / static_cast<double>(buckets);
  const double scale = width > 0 ? 1.0 / width : 0;
  const double last_bucket = static_cast<double>(buckets - 1);
  std::vector<Bucket> b(buckets);
  size_t in_range = 0;
  for (size_t i = 0; i < n; ++i) {
    double x = x_of(i);
    if (!(x >= from && x <= to)) continue;
    ++in_range;
    double pos = (x - from) * scale;
    // The right edge (and a NaN from an infinite width) falls into the last / first bucket.
    pos = pos < last_bucket ? pos : last_bucket;
    Bucket& bk = b[pos >= 0 ? static_cast<size_t>(pos) : 0];
    if (bk.first == kNone) bk.first = i;
    bk.last = i;
    double v = value[i];
    if (!std::isfinite(v)) {
      if (bk.nonfinite == kNone) bk.nonfinite = i;
    } else if (bk.min == kNone) {
      bk.min = bk.max = i;
      bk.min_v = bk.max_v = v;
    } else if (v < bk.min_v) {
      bk.min = i;
      bk.min_v = v;
    } else if (v > bk.max_v) {
      bk.max = i;
      bk.max_v = v;
    }
  }
  out.in_range = static_cast<int64_t>(in_range);

  // The range's extremes from the buckets': the lowest value, and among equals the first point.
  size_t min_i = kNone, max_i = kNone;
  for (const Bucket& bk : b) {
    if (bk.min == kNone) continue;
    if (min_i == kNone || bk.min_v < value[min_i] || (bk.min_v == value[min_i] && bk.min < min_i)) min_i = bk.min;
    if (max_i == kNone || bk.max_v > value[max_i] || (bk.max_v == value[max_i] && bk.max < max_i)) max_i = bk.max;
  }
  if (min_i != kNone) out.min = XY{x_of(min_i), value[min_i]};
  if (max_i != kNone) out.max = XY{x_of(max_i), value[max_i]};

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

}  // namespace

DownsampleResult Downsample(const SeriesView& series, const DownsampleOptions& options) {
  const size_t n = std::min({series.step.size(), series.time.size(), series.value.size()});
  if (n == 0) return DownsampleResult{};
  const int64_t* step = series.step.data();
  const double* time = series.time.data();
  switch (options.x) {
    case XAxis::kTime:
      return Run(series, n, options, [time](size_t i) { return time[i]; });
    case XAxis::kRelative: {
      const double origin = time[0];
      return Run(series, n, options, [time, origin](size_t i) { return time[i] - origin; });
    }
    case XAxis::kStep:
      break;
  }
  return Run(series, n, options, [step](size_t i) { return static_cast<double>(step[i]); });
}

}  // namespace trail::metrics
