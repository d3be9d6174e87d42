// Runs as batch jobs on a Slurm cluster (`trail run --slurm`, docs/cluster.md): the run is made
// at submission with status `queued`, and the job's `trail run` on its node records it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trail/json.h"
#include "trail/project.h"
#include "trail/recording.h"
#include "trail/status.h"

namespace trail::api {

// The job's `#SBATCH` options; empty fields are the cluster's defaults.
struct SlurmOptions {
  std::string partition;
  std::string time;  // Slurm's syntax: "30", "1:00:00", "2-00:00:00"
  int64_t cpus = 0;  // --cpus-per-task; 0: the default
  std::string mem;   // "4G"
  std::string gres;  // "gpu:1"
  std::string account;
  std::vector<std::string> sbatch_args;  // more options, each "--name=value"
};

struct SubmittedRun {
  std::string run_id;
  std::string job_id;
  std::string script;  // the batch script trail wrote
  std::string log;     // the job's output file
};

// Queues `request` as a run and submits a batch job that records it with `trail_exe` (absolute)
// in the same project and folder. InvalidArgument for a bad request or option; FailedPrecondition
// with sbatch's message when Slurm refuses or is missing (nothing is left queued then).
StatusOr<SubmittedRun> SubmitRun(Project& project, const RunRequest& request, const SlurmOptions& options,
                                 const std::string& trail_exe);

// Follows the job until its run is recorded (polling every `poll_s` seconds) and returns the
// record. A job that ended before its `trail run` started is recorded here, failed or killed with
// Slurm's reason.
StatusOr<Json> WaitForSubmittedRun(Project& project, const SubmittedRun& run, double poll_s = 1.0);

}  // namespace trail::api
