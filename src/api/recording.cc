#include "trail/recording.h"

#include "api/project_access.h"
#include "api/run_observer_adapter.h"
#include "project/context_config.h"
#include "project/metrics_config.h"
#include "record/record.h"
#include "recording/capture.h"
#include "recording/recorder.h"
#include "recording/run_data.h"

namespace trail::api {
namespace {

// The request in the library's terms; InvalidArgument as CheckRunRequest.
StatusOr<trail::RunRequest> Translate(const RunRequest& request) {
  trail::RunRequest req;
  req.argv = request.argv;
  req.name = request.name;
  req.params = request.params;
  req.tags = request.tags;
  req.params_from_args = request.params_from_args;
  req.parse_output = request.parse_output;
  req.system_metrics = request.system_metrics;
  if (request.system_metrics_interval) {
    if (Status s = CheckSystemInterval(*request.system_metrics_interval, "--system-metrics-interval"); !s.ok())
      return s;
    if (!request.system_metrics)
      return InvalidArgument("--system-metrics-interval and --no-system-metrics contradict each other");
  }
  req.system_metrics_interval = request.system_metrics_interval;
  for (const std::string& f : request.data) {
    auto in = ParseDataFlag(f);
    if (!in.ok()) return in.status();
    req.data.push_back(*in);
  }
  req.data_options.fraction = request.data_options.fraction;
  req.data_options.seed = request.data_options.seed;
  req.data_options.stratify = request.data_options.stratify;
  req.artifacts = request.artifacts;
  if (request.seed && (*request.seed < 0 || *request.seed > trail::kMaxSeed)) {
    return InvalidArgument(trail::SeedRangeError(*request.seed));
  }
  req.seed = request.seed;
  req.reproduces = request.reproduces;
  for (const std::string& e : request.env) {
    size_t eq = e.find('=');
    if (eq == 0 || eq == std::string::npos || e.find('\0') != std::string::npos)
      return InvalidArgument("environment variable \"" + e + "\": expected NAME=VALUE");
  }
  req.env = request.env;
  if (!request.cwd.empty() && request.cwd[0] != '/')
    return InvalidArgument("working directory \"" + request.cwd + "\": expected an absolute path");
  req.cwd = request.cwd;
  if (request.force && request.resume.empty()) return InvalidArgument("--force only goes with --resume ID");
  req.resume = request.resume;
  req.force = request.force;
  if (request.group.find('\0') != std::string::npos || request.group.size() > 1024)
    return InvalidArgument("--group: expected a key of at most 1024 bytes");
  req.group = request.group;
  req.queued_run = request.queued_run;
  if (!request.sweep_trial.empty()) {
    Json spec = Json::parse(request.sweep_trial, nullptr, /*allow_exceptions=*/false);
    if (!spec.is_object()) return InvalidArgument("--sweep-trial: expected a JSON object");
    req.parent = record::GetString(spec, "parent");
    req.hyperparameters = spec.value("hyperparameters", Json::object());
    req.extra_params = spec.value("params", Json::object());
    req.id_file = record::GetString(spec, "id_file");
  }
  return req;
}

}  // namespace

Status CheckRunRequest(const RunRequest& request) { return Translate(request).status(); }

StatusOr<RunOutcome> RecordRun(Project& project, const RunRequest& request, RunObserver& observer) {
  auto req = Translate(request);
  if (!req.ok()) return req.status();
  RunObserverAdapter adapter(observer);
  auto out = trail::RecordRun(ProjectAccess::Of(project), *req, adapter);
  if (!out.ok()) return out.status();
  RunOutcome outcome;
  outcome.exit_code = out->exit_code;
  outcome.id = out->id;
  return outcome;
}

StatusOr<Json> PreviewContext(Project& handle, const std::vector<std::string>& argv, const std::string& cwd) {
  trail::Project& project = ProjectAccess::Of(handle);
  auto config = ParseContextConfig(project.config());
  if (!config.ok()) return config.status();
  CaptureOptions options;
  options.argv = argv;
  options.cwd = cwd;
  options.dry_run = true;
  std::vector<std::string> warnings;
  Json context = CaptureContext(project, *config, options, &warnings);
  if (!warnings.empty()) context["warnings"] = warnings;
  return context;
}

}  // namespace trail::api
