#include "recording/queued_run.h"

#include <chrono>
#include <thread>

#include "base/clock.h"
#include "base/random_id.h"
#include "record/live_files.h"
#include "record/record.h"
#include "recording/finalize.h"
#include "recording/live_run.h"

namespace trail {
namespace {

// How long a job's `trail run` waits for a queued run's lock: a follower holds it only while
// it looks at the job.
constexpr int kTakeOverTries = 100;
constexpr auto kTakeOverPause = std::chrono::milliseconds(100);

Status WriteQueued(const LiveRun& run, const Json& start_record) {
  TRAIL_RETURN_IF_ERROR(WriteFileAtomic(*run.env, run.path(record::live::kStartFile), EmitYaml(start_record)));
  return WriteFileAtomic(*run.env, run.path(record::live::kQueuedFile), start_record["executor"].dump() + "\n");
}

}  // namespace

bool IsQueuedFolder(Env& env, const std::string& live_dir) {
  return env.Exists(JoinPath(live_dir, record::live::kQueuedFile));
}

StatusOr<LiveRun> QueueRun(Project& project, const QueuedRunStart& start, Json* start_record) {
  TRAIL_ASSIGN_OR_RETURN(LiveRun run, AllocateRun(project));
  Json rec = Json::object();
  rec["trail"] = record::kFormatVersion;
  rec["id"] = run.id;
  rec["number"] = run.number;
  rec["uid"] = RandomUid();
  if (!start.name.empty()) rec["name"] = start.name;
  if (!start.parent.empty()) rec["parent"] = start.parent;
  rec["status"] = record::kQueued;
  const std::string now = FormatIsoTime(project.env().NowUnixSeconds());
  rec["started"] = now;
  rec["command"] = start.argv;
  rec["cwd"] = start.cwd;
  if (start.params.is_object()) rec["params"] = start.params;
  rec["executor"] = start.executor.is_object() ? start.executor : Json::object();
  rec["executor"]["submitted"] = now;
  Status written = WriteQueued(run, rec);
  if (!written.ok()) {
    (void)RemoveLiveFolder(*run.env, run.dir);
    return written;
  }
  *start_record = std::move(rec);
  return run;
}

Status SetQueuedJob(const LiveRun& run, Json& start_record, const std::string& job_id) {
  start_record["executor"]["job_id"] = job_id;
  return WriteQueued(run, start_record);
}

StatusOr<TakenRun> TakeQueuedRun(Project& project, const std::string& id) {
  Env& env = project.env();
  if (!IsRunFolder(id) || id.find('/') != std::string::npos || !record::RunNumberOf(id))
    return InvalidArgument("--queued-run: \"" + id + "\" is not a run id");
  TakenRun taken;
  taken.run.env = &env;
  taken.run.id = id;
  taken.run.number = *record::RunNumberOf(id);
  taken.run.dir = JoinPath(project.live_dir(), id);
  for (int i = 0;; ++i) {
    auto lock = env.TryLock(taken.run.path(record::live::kLockFile), /*create=*/false);
    if (!lock.ok()) return FailedPrecondition("run " + id + " is not queued (no live folder: recorded already?)");
    if (lock->held()) {
      taken.run.lock = std::move(*lock);
      break;
    }
    if (i == kTakeOverTries) return FailedPrecondition("run " + id + " is held by another trail process");
    std::this_thread::sleep_for(kTakeOverPause);
  }
  if (!IsQueuedFolder(env, taken.run.dir))
    return FailedPrecondition("run " + id + " is not queued (taken over already)");
  TRAIL_ASSIGN_OR_RETURN(std::string text, env.ReadFile(taken.run.path(record::live::kStartFile)));
  TRAIL_ASSIGN_OR_RETURN(taken.queued, ParseYaml(text, taken.run.path(record::live::kStartFile)));
  if (!taken.queued.is_object() || record::GetString(taken.queued, "id") != id)
    return Corrupt(taken.run.path(record::live::kStartFile) + ": not the queued run " + id);
  TRAIL_RETURN_IF_ERROR(env.RemoveFile(taken.run.path(record::live::kQueuedFile)));
  return taken;
}

StatusOr<bool> EndQueuedRun(Project& project, const std::string& id, const std::string& status,
                            const std::string& state, const std::string& reason) {
  Env& env = project.env();
  LiveRun run;
  run.env = &env;
  run.id = id;
  run.dir = JoinPath(project.live_dir(), id);
  auto number = record::RunNumberOf(id);
  if (!IsRunFolder(id) || !number) return InvalidArgument("\"" + id + "\" is not a run id");
  run.number = *number;
  auto lock = env.TryLock(run.path(record::live::kLockFile), /*create=*/false);
  if (!lock.ok() || !lock->held() || !IsQueuedFolder(env, run.dir)) return false;
  run.lock = std::move(*lock);
  TRAIL_ASSIGN_OR_RETURN(std::string text, env.ReadFile(run.path(record::live::kStartFile)));
  TRAIL_ASSIGN_OR_RETURN(Json start, ParseYaml(text, run.path(record::live::kStartFile)));
  if (!start.is_object()) return Corrupt(run.path(record::live::kStartFile) + ": not a mapping");
  TRAIL_RETURN_IF_ERROR(WriteJobOutcome(env, run.dir, status, state, reason));
  TRAIL_RETURN_IF_ERROR(env.RemoveFile(run.path(record::live::kQueuedFile)));
  FinalizeOptions options;  // no exit record: the command never ran
  TRAIL_RETURN_IF_ERROR(FinalizeRun(project, run, start, options).status());
  return true;
}

void NoteJobOutcome(const LiveRun& run, const Json& start_record) {
  const Json executor = start_record.value("executor", Json::object());
  if (!executor.is_object() || record::GetString(executor, "kind") != "slurm") return;
  std::string job_id = record::GetString(executor, "job_id");
  if (job_id.empty()) return;
  // Slurm signals the job's processes just as it ends the job: give its state a moment to settle.
  auto info = cluster::QueryJob(job_id);
  for (int i = 0; i < 10 && info.ok() && info->known && cluster::JobActive(info->state); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    info = cluster::QueryJob(job_id);
  }
  if (!info.ok() || !info->known) return;
  auto verdict = cluster::VerdictOf(job_id, *info);
  if (verdict) (void)WriteJobOutcome(*run.env, run.dir, verdict->status, info->state, verdict->reason);
}

Status WriteJobOutcome(Env& env, const std::string& live_dir, const std::string& status, const std::string& state,
                       const std::string& reason) {
  Json j = Json::object();
  j["status"] = status;
  if (!state.empty()) j["state"] = state;
  if (!reason.empty()) j["reason"] = reason;
  return WriteFileAtomic(env, JoinPath(live_dir, record::live::kJobOutcomeFile), j.dump() + "\n", /*sync=*/false);
}

}  // namespace trail
