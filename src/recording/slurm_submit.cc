#include "recording/slurm_submit.h"

#include <cstdlib>

#include "base/files.h"
#include "record/record.h"

namespace trail {

std::string JobsDir(Project& project) { return JoinPath(project.state_dir(), "jobs"); }

StatusOr<SubmittedJob> SubmitToSlurm(Project& project, const SlurmSubmission& s) {
  TRAIL_RETURN_IF_ERROR(cluster::CheckSlurmOptions(s.options));
  if (s.trail_exe.empty() || s.trail_exe[0] != '/') return InvalidArgument("the trail binary's path must be absolute");
  if (s.start.cwd.empty() || s.start.cwd[0] != '/') return InvalidArgument("the job's folder must be absolute");
  for (const std::string& e : s.env) {
    size_t eq = e.find('=');
    if (eq == 0 || eq == std::string::npos || e.find('\n') != std::string::npos ||
        e.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") < eq)
      return InvalidArgument("environment variable \"" + e + "\": expected NAME=VALUE");
  }
  TRAIL_RETURN_IF_ERROR(MakeDirs(JobsDir(project)));
  QueuedRunStart start = s.start;
  start.executor = Json::object();
  start.executor["kind"] = "slurm";
  Json options = cluster::SlurmOptionsToJson(s.options);
  if (!options.empty()) start.executor["options"] = options;
  Json rec;
  TRAIL_ASSIGN_OR_RETURN(LiveRun run, QueueRun(project, start, &rec));
  SubmittedJob job;
  job.run_id = run.id;
  job.script = JoinPath(JobsDir(project), run.id + ".sh");
  job.log = JoinPath(JobsDir(project), run.id + ".out");
  cluster::BatchJob batch;
  batch.name = "trail-" + run.id;
  batch.workdir = start.cwd;
  batch.log_path = job.log;
  batch.env = s.env;
  // The job runs in the mode this submission was made in (TRAIL_CLUSTER_LOCKS may have set it).
  const char* override_locks = std::getenv(kClusterLocksVariable);
  if (project.node_local_locks() || (override_locks != nullptr && *override_locks != '\0'))
    batch.env.push_back(std::string(kClusterLocksVariable) + "=" + ClusterLocksName(project.cluster_locks()));
  batch.argv = {s.trail_exe, "run", "--queued-run", run.id};
  for (const std::string& a : s.run_args) batch.argv.push_back(a);
  batch.argv.push_back("--");
  for (const std::string& w : start.argv) batch.argv.push_back(w);
  Status written = WriteFileAtomic(job.script, cluster::BatchScript(s.options, batch));
  StatusOr<std::string> id = written.ok() ? cluster::SubmitBatch(job.script) : StatusOr<std::string>(written);
  if (!id.ok()) {
    (void)RemoveLiveFolder(*run.env, run.dir);
    return id.status();
  }
  job.job_id = *id;
  rec["executor"]["log"] = job.log;
  TRAIL_RETURN_IF_ERROR(SetQueuedJob(run, rec, job.job_id));
  return job;
}

}  // namespace trail
