// A run in progress and its state under .trail/live/<id>/: allocation, listing and crash
// recovery. The folder itself is live_folder.h (its files are named in record/live_files.h,
// docs/formats/live-runs.md); numbers come from run_numbers.h; finishing a run is finalize.h.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "cluster/slurm.h"
#include "project/project.h"
#include "recording/finalize.h"
#include "recording/live_folder.h"
#include "recording/run_numbers.h"
#include "trail/status.h"

namespace trail {

// Allocates the next run number (unique among the branch, live runs and every
// number ever handed out here) and creates its live folder, holding its lock.
StatusOr<LiveRun> AllocateRun(Project& project);

// Start records of the runs in progress (their lock is held) and of the queued ones (status:
// queued, recording/queued_run.h), newest first.
std::vector<Json> ListLiveRuns(Project& project);

// Finalizes every live run whose supervisor and child are both gone. Returns
// the ids it recorded; problems go to `warnings`. Cheap when nothing is live. With node-local
// locks (recording/ended_run.h) it commits the runs ended on their nodes, finalizes a Slurm
// job's run only once Slurm says the job ended, and does nothing inside such a job.
std::vector<std::string> RecoverAbandonedRuns(Project& project, std::vector<std::string>* warnings);

// The same for the one live run `id`: true when it was recorded here. `job` is what Slurm said
// of its job a moment ago (node-local locks; null: asked when needed).
StatusOr<bool> RecoverLiveRun(Project& project, const std::string& id, const cluster::JobInfo* job,
                              std::vector<std::string>* warnings);

}  // namespace trail
