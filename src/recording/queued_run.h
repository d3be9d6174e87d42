// Runs submitted to a batch scheduler (docs/cluster.md). Such a run exists from its submission:
// its live folder is made then, with start.yaml saying `status: queued` and the `queued` marker
// (record/live_files.h). While the marker is there the folder's lock is free, and the run is
// listed as queued, never recovered as abandoned. The job's `trail run --queued-run ID` takes
// it over (lock first, then the marker removed) and records it as any run; a job that ends
// before that is recorded by whoever follows it (the sweep driver, `trail run --slurm --wait`)
// with EndQueuedRun.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "cluster/slurm.h"
#include "project/project.h"
#include "recording/live_folder.h"
#include "trail/status.h"

namespace trail {

struct QueuedRunStart {
  std::vector<std::string> argv;  // the command, as the record's `command` will say
  std::string cwd;                // absolute
  std::string name;
  std::string parent;
  Json params = Json::object();  // known at submission (a sweep's values, -p); the job adds the rest
  Json executor;                 // the record's `executor:` block: {kind, options, ...}
};

// Allocates the run and writes its queued start record and marker. The LiveRun returned holds
// the folder's lock until the job is submitted: then SetQueuedJob, or RemoveLiveFolder when the
// submission failed. `start_record` receives what start.yaml says.
StatusOr<LiveRun> QueueRun(Project& project, const QueuedRunStart& start, Json* start_record);

// Records the job's id in the start record and the marker (`executor.job_id`).
Status SetQueuedJob(const LiveRun& run, Json& start_record, const std::string& job_id);

struct TakenRun {
  LiveRun run;  // its lock held
  Json queued;  // the start record written at submission
};

// Takes over queued run `id` (an id, not a number: it comes from the job's script). Waits for the
// lock briefly (a follower may hold it for a moment), then removes the marker. FailedPrecondition
// when the run is not queued (already taken over, recorded or never made).
StatusOr<TakenRun> TakeQueuedRun(Project& project, const std::string& id);

// Records queued run `id` whose job ended before it was taken over: status (failed, killed)
// and the reason in `executor`. Returns false, doing nothing, when it is no longer queued.
StatusOr<bool> EndQueuedRun(Project& project, const std::string& id, const std::string& status,
                            const std::string& state, const std::string& reason);

// Writes job.json into a live folder: how the scheduler says the job ended. The record takes its
// status (unless the run was pruned) and its state and reason under `executor:`.
Status WriteJobOutcome(Env& env, const std::string& live_dir, const std::string& status, const std::string& state,
                       const std::string& reason);

// For a run of a Slurm job (`executor.kind: slurm` in `start_record`) that did not end cleanly:
// asks the scheduler how the job ended and, when that says more than the exit status (a failed
// node, a time limit, scancel), writes it as job.json. Fail-soft: nothing when Slurm cannot say.
void NoteJobOutcome(const LiveRun& run, const Json& start_record);

// Whether a live folder waits for its job.
bool IsQueuedFolder(Env& env, const std::string& live_dir);

}  // namespace trail
