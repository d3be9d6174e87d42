#include "recording/job_follow.h"

#include "cluster/slurm.h"
#include "record/live_files.h"
#include "recording/ended_run.h"
#include "recording/live_run.h"
#include "recording/queued_run.h"

namespace trail {

StatusOr<JobLook> LookAtJob(Project& project, const std::string& run_id, const std::string& job_id) {
  Env& env = project.env();
  JobLook look;
  const std::string dir = JoinPath(project.live_dir(), run_id);
  if (!env.Exists(dir)) {
    look.settled = true;
    return look;
  }
  std::vector<std::string> warnings;
  // Node-local locks: the job's trail run parks its run when it ends; commit it at once.
  if (project.node_local_locks() && IsEndedFolder(env, dir)) {
    TRAIL_RETURN_IF_ERROR(RecoverLiveRun(project, run_id, /*job=*/nullptr, &warnings).status());
    look.settled = !env.Exists(dir);
    if (look.settled) return look;
  }
  auto info = cluster::QueryJob(job_id);
  if (!info.ok()) return look;
  look.state = info->state;
  if (info->known && cluster::JobActive(info->state)) return look;
  // The job has ended. Its trail run, if it ran, is finishing or done.
  auto verdict = cluster::VerdictOf(job_id, *info);
  if (IsQueuedFolder(env, dir)) {
    std::string why = "Slurm job " + job_id + " ended (" + (info->known ? info->state : "unknown") +
                      ") before its trail run started; see " +
                      JoinPath(JoinPath(project.state_dir(), "jobs"), run_id + ".out");
    std::string status = verdict ? verdict->status : std::string("failed");
    if (status == "crashed") status = "failed";
    TRAIL_ASSIGN_OR_RETURN(bool ended,
                           EndQueuedRun(project, run_id, status, info->state, verdict ? verdict->reason : why));
    look.settled = ended || !env.Exists(dir);
    return look;
  }
  if (project.node_local_locks()) {
    // Its trail run was killed outright, or (ended.yaml appeared just now) it parked the run.
    TRAIL_RETURN_IF_ERROR(RecoverLiveRun(project, run_id, &*info, &warnings).status());
    look.settled = !env.Exists(dir);
    return look;
  }
  auto lock = env.TryLock(JoinPath(dir, record::live::kLockFile), /*create=*/false);
  if (!lock.ok()) {
    look.settled = true;  // removed meanwhile: recorded
    return look;
  }
  if (!lock->held()) return look;  // its trail run is still finishing
  // Nobody holds the run: its trail run was killed outright. Recovery records it; Slurm says why.
  if (verdict && !env.Exists(JoinPath(dir, record::live::kJobOutcomeFile)))
    (void)WriteJobOutcome(env, dir, verdict->status, info->state, verdict->reason);
  lock->Release();
  RecoverAbandonedRuns(project, &warnings);
  look.settled = !env.Exists(dir);
  return look;
}

}  // namespace trail
