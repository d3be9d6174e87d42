// A metric's series for a chart: /api/v1/runs/{id}/metrics/{name}, downsampled on the server so
// that the browser gets about `points` points whatever the series' length, extremes kept.
#include "http_json.h"
#include "router.h"
#include "run_refs.h"
#include "trail/runs.h"
#include "trail/series.h"

namespace trail::server {
namespace {

Json PointJson(const std::optional<api::SeriesPoint>& p) {
  if (!p) return nullptr;
  return {{"x", p->x}, {"y", p->y}};
}

Status GetMetric(const httplib::Request& req, httplib::Response& res, api::Project& project) {
  const std::string ref = req.matches[1], metric = req.matches[2];
  TRAIL_RETURN_IF_ERROR(CheckRunRef(ref));
  if (metric.empty() || metric.size() > 512) return InvalidArgument("malformed metric name");
  api::DownsampleRequest request;
  TRAIL_ASSIGN_OR_RETURN(request.points, IntParam(req, "points", 1000, 4, 20000));
  const std::string x = req.has_param("x") ? req.get_param_value("x") : "step";
  if (x == "step") {
    request.x = api::SeriesAxis::kStep;
  } else if (x == "time") {
    request.x = api::SeriesAxis::kTime;
  } else if (x == "relative") {
    request.x = api::SeriesAxis::kRelative;
  } else {
    return InvalidArgument("x must be step, time or relative");
  }
  TRAIL_ASSIGN_OR_RETURN(request.from, DoubleParam(req, "from"));
  TRAIL_ASSIGN_OR_RETURN(request.to, DoubleParam(req, "to"));

  std::shared_ptr<const api::Series> series;
  auto run = api::LoadRun(project, ref);
  if (run.ok()) {
    TRAIL_ASSIGN_OR_RETURN(series, api::LoadSeries(project, *run, metric));
  } else if (run.status().code() == Code::kNotFound) {
    // A live run: every point its files hold so far.
    api::LiveCursor cursor;
    TRAIL_ASSIGN_OR_RETURN(api::LivePoints points, api::ReadLivePoints(project, ref, &cursor));
    if (!points.running) return run.status();
    auto it = points.metrics.find(metric);
    if (it == points.metrics.end()) return NotFound(ref + " has no series " + metric);
    series = std::make_shared<api::Series>(std::move(it->second));
  } else {
    return run.status();
  }
  api::Downsampled d = api::Downsample(*series, request);
  Json body = {{"metric", metric},
               {"x", x},
               {"total", d.total},
               {"in_range", d.in_range},
               {"downsampled", d.downsampled},
               {"points", {{"x", d.x}, {"y", d.y}}},
               {"min", PointJson(d.min)},
               {"max", PointJson(d.max)},
               {"x_min", d.x_min},
               {"x_max", d.x_max}};
  SendJson(res, body);
  return Status::Ok();
}

}  // namespace

void RegisterSeriesRoutes(Router& router) {
  // The name is the rest of the path: cpp-httplib decodes %2F before matching, so "val%2Floss"
  // arrives as "val/loss".
  router.Get(R"(/api/v1/runs/([^/]+)/metrics/(.+))", GetMetric);
}

}  // namespace trail::server
