// Submitting a run to Slurm (`trail run --slurm`, a sweep's trials): the run is queued
// (queued_run.h), its batch script written under .trail/jobs/, the job submitted with sbatch and
// its id recorded. The script execs `trail run --queued-run ID <run_args> -- CMD` in the same
// project and folder on the job's node; the job's output goes to .trail/jobs/<id>.out (the
// command's own output is also the run's output.log). docs/cluster.md.
#pragma once

#include <string>
#include <vector>

#include "cluster/slurm.h"
#include "project/project.h"
#include "recording/queued_run.h"
#include "trail/status.h"

namespace trail {

struct SlurmSubmission {
  QueuedRunStart start;               // argv, cwd, name, parent, params; `executor` is filled in
  cluster::SlurmOptions options;      // checked here
  std::string trail_exe;              // absolute: the `trail` the job runs
  std::vector<std::string> run_args;  // `trail run` options for the job, without --slurm
  std::vector<std::string> env;       // NAME=VALUE exported by the script
};

struct SubmittedJob {
  std::string run_id;
  std::string job_id;
  std::string script;  // the batch script's path
  std::string log;     // the job's output file
};

// The folder of batch scripts and job logs: <project>/.trail/jobs.
std::string JobsDir(Project& project);

// Queues the run and submits its job. When sbatch refuses, the queued run is removed and the
// error names sbatch's message; nothing else is left behind but the script.
StatusOr<SubmittedJob> SubmitToSlurm(Project& project, const SlurmSubmission& submission);

}  // namespace trail
