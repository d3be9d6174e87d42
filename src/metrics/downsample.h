// Downsampling a series for a chart without hiding an extreme: the x range is cut into buckets
// of equal width, and each bucket keeps its first, lowest, highest and last point (and its first
// non-finite one, so a chart still shows the gap). A million points become about `points`, and
// the range's global min and max are always among them, wherever the spikes are.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace trail::metrics {

enum class XAxis {
  kStep,      // the point's step
  kTime,      // unix seconds
  kRelative,  // seconds since the series' first point (in series order)
};

// The columns of a series (SeriesColumns, api::Series), not owned; all three the same length.
struct SeriesView {
  std::span<const int64_t> step;
  std::span<const double> time;
  std::span<const double> value;
};

struct DownsampleOptions {
  XAxis x = XAxis::kStep;
  std::optional<double> from, to;  // inclusive; unset (or non-finite): the series' own extent
  int64_t points = 1000;           // at most about this many points back; below 4 counts as 4
};

struct XY {
  double x = 0, y = 0;
};

struct DownsampleResult {
  std::vector<double> x, y;  // in series order; every point in range when !downsampled
  int64_t total = 0;         // points in the series
  int64_t in_range = 0;      // points whose x is in [from, to] (a point with a non-finite x never is)
  bool downsampled = false;
  std::optional<XY> min, max;   // the first point reaching the lowest / highest finite value in range
  double x_min = 0, x_max = 0;  // the finite x extent of the whole series (0, 0 when it has none)
};

// Points in range <= `points`: all of them. Otherwise max(1, points / 4) buckets of equal x width
// over [from, to]; a bucket keeps the indices of its first, lowest, highest and last point and of
// its first point with a non-finite value, each once, and the kept points come back in series
// order (steps need not be monotonic). Non-finite values never count as min or max. One pass
// over the series for the extent and one for the buckets: a few ms for a million points.
DownsampleResult Downsample(const SeriesView& series, const DownsampleOptions& options);

}  // namespace trail::metrics
