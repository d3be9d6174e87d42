#include "recording/live_run.h"

#include <algorithm>
#include <optional>

#include "base/files.h"
#include "record/live_files.h"
#include "record/record.h"
#include "recording/ended_run.h"
#include "recording/queued_run.h"

namespace trail {

StatusOr<LiveRun> AllocateRun(Project& project) {
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, project.LockWriters());
  TRAIL_ASSIGN_OR_RETURN(int64_t number, TakeRunNumberLocked(project));
  return CreateLiveFolder(project.env(), project.live_dir(), record::MakeRunId(project.name(), number), number);
}

std::vector<Json> ListLiveRuns(Project& project) {
  Env& env = project.env();
  std::vector<std::pair<int64_t, Json>> live;
  for (const auto& name : env.ListDir(project.live_dir())) {
    if (!IsRunFolder(name)) continue;
    auto number = record::RunNumberOf(name);
    std::string dir = JoinPath(project.live_dir(), name);
    auto lock = env.TryLock(JoinPath(dir, record::live::kLockFile), /*create=*/false);
    if (!lock.ok()) continue;  // gone
    // Not live: recovery's business. With node-local locks a free lock says nothing (the run
    // may be going on another node): listed until recovery records it.
    if (lock->held() && !IsQueuedFolder(env, dir) && !project.node_local_locks()) continue;
    auto text = env.ReadFile(JoinPath(dir, record::live::kStartFile));
    if (!text.ok()) continue;
    auto rec = ParseYaml(*text, name);
    if (rec.ok() && rec->is_object()) live.emplace_back(*number, *rec);
  }
  std::sort(live.begin(), live.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<Json> out;
  for (auto& [n, rec] : live) out.push_back(std::move(rec));
  return out;
}

StatusOr<bool> RecoverLiveRun(Project& project, const std::string& id, const cluster::JobInfo* job,
                              std::vector<std::string>* warnings) {
  Env& env = project.env();
  auto number = record::RunNumberOf(id);
  if (!IsRunFolder(id) || !number) return false;
  LiveRun run;
  run.env = &env;
  run.id = id;
  run.number = *number;
  run.dir = JoinPath(project.live_dir(), id);
  auto lock = env.TryLock(run.path(record::live::kLockFile), /*create=*/false);
  if (!lock.ok() || !lock->held()) return false;   // still running, or another command got there first
  if (IsQueuedFolder(env, run.dir)) return false;  // waits for its batch job (queued_run.h)
  run.lock = std::move(*lock);
  // Collected on its node, waiting to be committed (node-local locks: recording/ended_run.h).
  if (IsEndedFolder(env, run.dir)) {
    TRAIL_RETURN_IF_ERROR(CommitEndedRun(project, run, warnings).status());
    return true;
  }

  Json start;
  auto text = env.ReadFile(run.path(record::live::kStartFile));
  if (text.ok()) {
    auto parsed = ParseYaml(*text, run.path(record::live::kStartFile));
    if (parsed.ok() && parsed->is_object()) start = *parsed;
  }
  if (!start.is_object() || !start.contains("uid")) {
    // Died between allocation and start: nothing ran, nothing to record. Node-local locks: a
    // folder of another node may be just that young; left alone.
    if (project.node_local_locks()) return false;
    (void)RemoveLiveFolder(env, run.dir);
    return false;
  }
  // Node-local locks: the free lock above says nothing about a run on another node.
  if (project.node_local_locks() && !MayRecoverNodeLocal(run, start, job)) return false;
  FinalizeOptions options;
  options.exit = ReadExitRecord(run);
  options.output_tail = env.ReadFile(run.path(record::live::kOutputTailFile)).value_or("");
  options.warnings = warnings;
  TRAIL_RETURN_IF_ERROR(FinalizeRun(project, run, start, options).status());
  if (warnings && !options.exit)
    warnings->push_back(run.id + " was interrupted (its trail process died); recorded as crashed");
  return true;
}

std::vector<std::string> RecoverAbandonedRuns(Project& project, std::vector<std::string>* warnings) {
  Env& env = project.env();
  std::vector<std::string> recovered;
  // Inside a job with node-local locks, the login node does the recovering (ended_run.h).
  if (RecordsInNodeLocalJob(project)) return recovered;
  for (const auto& name : env.ListDir(project.live_dir())) {
    if (!name.empty() && name[0] == '.') {
      // Leftovers of a process killed while creating or removing a folder.
      // A folder being created has its lock file made before it is locked;
      // AllocateRun does both under the writer lock, so take it too, or we
      // could lock and delete a folder in that instant.
      std::optional<FileLock> writers;
      if (name.rfind(record::live::kCreatingPrefix, 0) == 0) {
        auto w = project.LockWriters();
        if (!w.ok()) continue;
        writers.emplace(std::move(*w));
      }
      std::string dir = JoinPath(project.live_dir(), name);
      auto lock = env.TryLock(JoinPath(dir, record::live::kLockFile), /*create=*/false);
      if (lock.ok() && lock->held()) (void)env.RemoveAll(dir);
      continue;
    }
    auto done = RecoverLiveRun(project, name, /*job=*/nullptr, warnings);
    if (!done.ok()) {
      if (warnings) warnings->push_back("cannot finalize " + name + ": " + done.status().message());
    } else if (*done) {
      recovered.push_back(name);
    }
  }
  return recovered;
}

}  // namespace trail
