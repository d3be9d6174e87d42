// Following a run's batch job from outside it (the sweep driver, `trail run --slurm --wait`):
// one look at a time, so a caller can follow many jobs in one loop at its own pace.
#pragma once

#include <string>

#include "project/project.h"
#include "trail/status.h"

namespace trail {

struct JobLook {
  bool settled = false;  // the run is on the branch (or gone): nothing more to follow
  std::string state;     // Slurm's state when last seen (PENDING, RUNNING, ...); empty: unknown
};

// Looks at run `run_id`'s job `job_id` once. When the job has ended but its run was not
// recorded by the job's `trail run` (the job never started it, or it was killed outright with
// its node), records the run here with Slurm's verdict (recording/queued_run.h, job.json). A
// scheduler that does not answer is not an error: the look is simply not settled.
StatusOr<JobLook> LookAtJob(Project& project, const std::string& run_id, const std::string& job_id);

}  // namespace trail
