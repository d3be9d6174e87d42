// The public series API over metrics/ (parsing, downsampling, the cache), project/stored_series.h
// (where a stored series lives) and recording/live_series.h (live runs).
#include "trail/series.h"

#include <utility>

#include "api/project_access.h"
#include "metrics/downsample.h"
#include "metrics/series_cache.h"
#include "metrics/series_columns.h"
#include "project/stored_series.h"
#include "recording/live_series.h"

namespace trail::api {
namespace {

constexpr size_t kCacheBytes = size_t{64} << 20;

// Every parsed series of the process (the server's threads share it). Never destroyed, so a
// thread still serving at exit cannot meet a destroyed cache.
metrics::SeriesCache<Series>& Cache() {
  static auto* cache = new metrics::SeriesCache<Series>(kCacheBytes);
  return *cache;
}

Series ToSeries(metrics::SeriesColumns&& c) { return Series{std::move(c.step), std::move(c.time), std::move(c.value)}; }

metrics::XAxis ToAxis(SeriesAxis axis) {
  switch (axis) {
    case SeriesAxis::kTime:
      return metrics::XAxis::kTime;
    case SeriesAxis::kRelative:
      return metrics::XAxis::kRelative;
    case SeriesAxis::kStep:
      break;
  }
  return metrics::XAxis::kStep;
}

}  // namespace

StatusOr<std::shared_ptr<const Series>> LoadSeries(Project& project, const StoredRun& run, const std::string& metric) {
  const Json& rec = run.record;
  if (!rec.contains("metrics") || !rec["metrics"].is_object() || !rec["metrics"].contains("series") ||
      !rec["metrics"]["series"].is_object() || !rec["metrics"]["series"].contains(metric))
    return NotFound(run.ref + " has no series " + metric);
  trail::Project& p = ProjectAccess::Of(project);
  trail::StoredRun stored;
  stored.dir = run.dir;
  stored.tip = run.tip;
  TRAIL_ASSIGN_OR_RETURN(SeriesContent content, LocateSeries(p, stored, rec["metrics"]["series"][metric]));
  if (auto hit = Cache().Find(content.id)) return hit;
  TRAIL_ASSIGN_OR_RETURN(std::string tsv, ReadSeriesContent(p, content));
  auto columns = metrics::ParseSeriesColumns(tsv);
  if (!columns.ok()) return Corrupt(run.ref + ": series " + metric + ", " + columns.status().message());
  size_t bytes = columns->bytes() + sizeof(Series) + content.id.size();
  auto series = std::make_shared<const Series>(ToSeries(std::move(*columns)));
  Cache().Insert(content.id, series, bytes);
  return series;
}

Downsampled Downsample(const Series& series, const DownsampleRequest& request) {
  metrics::DownsampleOptions options;
  options.x = ToAxis(request.x);
  options.from = request.from;
  options.to = request.to;
  options.points = request.points;
  metrics::DownsampleResult r = metrics::Downsample({series.step, series.time, series.value}, options);
  Downsampled out;
  out.x = std::move(r.x);
  out.y = std::move(r.y);
  out.total = r.total;
  out.in_range = r.in_range;
  out.downsampled = r.downsampled;
  if (r.min) out.min = SeriesPoint{r.min->x, r.min->y};
  if (r.max) out.max = SeriesPoint{r.max->x, r.max->y};
  out.x_min = r.x_min;
  out.x_max = r.x_max;
  return out;
}

StatusOr<Json> LoadLiveRun(Project& project, const std::string& id) {
  return ReadLiveStart(ProjectAccess::Of(project), id);
}

StatusOr<LivePoints> ReadLivePoints(Project& project, const std::string& id, LiveCursor* cursor) {
  LiveFileCursors files;
  files.metrics = {cursor->metrics, cursor->metrics_counts};
  files.output = {cursor->output, cursor->output_counts};
  files.files = {cursor->files, cursor->files_counts};
  files.system = {cursor->system, cursor->system_counts};
  auto read = ReadLiveSeries(ProjectAccess::Of(project), id, &files);
  if (!read.ok()) return read.status();  // the cursor stays as it was: nothing is skipped
  cursor->metrics = files.metrics.offset;
  cursor->output = files.output.offset;
  cursor->files = files.files.offset;
  cursor->system = files.system.offset;
  cursor->metrics_counts = std::move(files.metrics.counts);
  cursor->output_counts = std::move(files.output.counts);
  cursor->files_counts = std::move(files.files.counts);
  cursor->system_counts = std::move(files.system.counts);
  LivePoints out;
  out.running = read->running;
  for (auto& [name, columns] : read->metrics) out.metrics.emplace(name, ToSeries(std::move(columns)));
  return out;
}

StatusOr<ProjectState> ReadProjectState(Project& project) {
  trail::Project& p = ProjectAccess::Of(project);
  ProjectState state;
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> tip, p.repo().ResolveRef(p.runs_ref()));
  if (tip) state.tip = std::move(*tip);
  state.live = ListLiveRunIds(p);
  return state;
}

}  // namespace trail::api
