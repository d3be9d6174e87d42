#include "trail/cluster.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "api/project_access.h"
#include "record/record.h"
#include "recording/job_follow.h"
#include "recording/slurm_submit.h"

namespace trail::api {
namespace {

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// `trail run` options that give the job's run what `request` asks for (--slurm itself aside).
std::vector<std::string> JobRunArgs(const RunRequest& r) {
  std::vector<std::string> a;
  auto opt = [&a](const char* flag, const std::string& value) {
    a.push_back(flag);
    a.push_back(value);
  };
  if (!r.name.empty()) opt("--name", r.name);
  for (const auto& p : r.params) opt("-p", p);
  for (const auto& t : r.tags) opt("--tag", t);
  if (!r.params_from_args) a.push_back("--no-arg-params");
  if (!r.parse_output) a.push_back("--no-parse");
  for (const auto& d : r.data) opt("--data", d);
  if (r.data_options.fraction != DataOptions{}.fraction) opt("--snapshot-fraction", Number(r.data_options.fraction));
  if (r.data_options.seed != 0) opt("--snapshot-seed", std::to_string(r.data_options.seed));
  if (!r.data_options.stratify.empty()) opt("--stratify", r.data_options.stratify);
  for (const auto& f : r.artifacts) opt("--artifact", f);
  if (r.seed) opt("--seed", std::to_string(*r.seed));
  if (!r.reproduces.empty()) opt("--reproduces", r.reproduces);
  if (!r.sweep_trial.empty()) opt("--sweep-trial", r.sweep_trial);
  if (!r.system_metrics) a.push_back("--no-system-metrics");
  if (r.system_metrics_interval) opt("--system-metrics-interval", Number(*r.system_metrics_interval));
  if (!r.group.empty()) opt("--group", r.group);
  return a;
}

}  // namespace

StatusOr<SubmittedRun> SubmitRun(Project& handle, const RunRequest& request, const SlurmOptions& options,
                                 const std::string& trail_exe) {
  if (Status s = CheckRunRequest(request); !s.ok()) return s;
  if (request.argv.empty()) return InvalidArgument("no command to run (usage: trail run --slurm [options] -- CMD)");
  if (!request.resume.empty()) return InvalidArgument("--slurm does not go with --resume");
  if (!request.queued_run.empty()) return InvalidArgument("--slurm does not go with --queued-run");
  trail::Project& project = ProjectAccess::Of(handle);
  SlurmSubmission s;
  s.start.argv = request.argv;
  s.start.cwd = request.cwd.empty() ? CurrentDirectory() : request.cwd;
  s.start.name = request.name;
  s.options.partition = options.partition;
  s.options.time = options.time;
  s.options.cpus = options.cpus;
  s.options.mem = options.mem;
  s.options.gres = options.gres;
  s.options.account = options.account;
  s.options.sbatch_args = options.sbatch_args;
  s.trail_exe = trail_exe;
  s.run_args = JobRunArgs(request);
  s.env = request.env;
  auto job = SubmitToSlurm(project, s);
  if (!job.ok()) return job.status();
  return SubmittedRun{job->run_id, job->job_id, job->script, job->log};
}

StatusOr<Json> WaitForSubmittedRun(Project& handle, const SubmittedRun& run, double poll_s) {
  trail::Project& project = ProjectAccess::Of(handle);
  while (true) {
    auto look = LookAtJob(project, run.run_id, run.job_id);
    if (!look.ok()) return look.status();
    if (look->settled) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(poll_s * 1000)));
  }
  auto stored = project.LoadRun(run.run_id);
  if (!stored.ok()) return stored.status();
  return stored->record;
}

}  // namespace trail::api
