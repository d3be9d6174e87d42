// Metric series for charts (the web UI, `trail ui`, and scripts): a run's whole series parsed
// into columns, a downsampling that never hides an extreme, and the new points of a live run.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "trail/json.h"
#include "trail/project.h"
#include "trail/runs.h"
#include "trail/status.h"

namespace trail::api {

// One metric's points, in the order they were reported (formats/metric-series.md).
struct Series {
  std::vector<int64_t> step;
  std::vector<double> time;   // unix seconds
  std::vector<double> value;  // NaN and +-inf kept
};

// The whole series `metric` of a stored run, wherever it lives (beside the record or in the
// object store). Parsed once per content: a process-wide cache keyed by the series' content id
// (blob or store oid, so it can never be stale), bounded in bytes, safe from any thread, makes
// the next call for the same series cost a lookup. NotFound "<ref> has no series <metric>".
StatusOr<std::shared_ptr<const Series>> LoadSeries(Project& project, const StoredRun& run, const std::string& metric);

// What a chart's x axis is.
enum class SeriesAxis {
  kStep,      // the point's step
  kTime,      // unix seconds
  kRelative,  // seconds since the series' first point
};

struct DownsampleRequest {
  SeriesAxis x = SeriesAxis::kStep;
  std::optional<double> from, to;  // the x range asked for (inclusive); unset: the whole series
  int64_t points = 1000;           // at most about this many points back (>= 4)
};

struct SeriesPoint {
  double x = 0, y = 0;
};

struct Downsampled {
  std::vector<double> x, y;  // in series order; every point of the range when !downsampled
  int64_t total = 0;         // points in the whole series
  int64_t in_range = 0;      // points with x in [from, to]
  bool downsampled = false;
  // The range's lowest and highest finite values (the first point that reached each); always
  // among (x, y) above, so no spike is hidden whatever the series length.
  std::optional<SeriesPoint> min, max;
  double x_min = 0, x_max = 0;  // the whole series' x extent (for a zoomed-out axis)
};

// Splits the range into about points/4 buckets of equal x width and keeps, per bucket, its first,
// lowest, highest and last point (each once, in series order). Non-finite values are kept as
// points of their own (a chart shows the gap) but never count as min or max.
Downsampled Downsample(const Series& series, const DownsampleRequest& request);

// A running run (LiveRuns): its record as known at start (`start.yaml`, formats/live-runs.md),
// NotFound "<id> is not running" once it has finished (then LoadRun has it).
StatusOr<Json> LoadLiveRun(Project& project, const std::string& id);

// Where a reader of a live run got to in its metric files; starts at zero.
struct LiveCursor {
  int64_t metrics = 0;  // bytes of metrics.jsonl read
  int64_t output = 0;   // bytes of output_metrics.jsonl read
  int64_t files = 0;    // bytes of file_metrics.jsonl read
  int64_t system = 0;   // bytes of system_metrics.jsonl read
  // Points read so far per metric of each file: a line without step or epoch numbers its points
  // by their metric's own count, which goes on from here, as the recorder numbers them. Keep the
  // cursor whole between calls; callers need not look inside.
  std::map<std::string, int64_t> metrics_counts, output_counts, files_counts, system_counts;
};

struct LivePoints {
  std::map<std::string, Series> metrics;  // the new points since the cursor, per metric
  bool running = true;                    // false: the run has finished (its live folder is gone)
};

// The points a live run wrote since `cursor` (complete lines only; a half-written last line is
// read next time), and advances it. With a zero cursor: every point so far. A run that is not
// live, or no longer, gives running = false and no points (not an error), so a watcher can stop.
StatusOr<LivePoints> ReadLivePoints(Project& project, const std::string& id, LiveCursor* cursor);

// The runs branch tip and the ids of the live runs, for a watcher that polls for changes.
struct ProjectState {
  std::string tip;                // commit id of the runs branch ("" before the first run)
  std::vector<std::string> live;  // ids of the runs in progress
};
StatusOr<ProjectState> ReadProjectState(Project& project);

}  // namespace trail::api
