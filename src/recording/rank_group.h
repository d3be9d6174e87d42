// One run, several processes (docs/distributed.md): the ranks of a job started as separate
// processes (torchrun, srun, mpirun, a script) each run `trail run` and record ONE run.
//
//   detect   a rank knows its rank, the world size and the group's key from its launcher's
//            environment (RANK/WORLD_SIZE, or SLURM_PROCID/SLURM_STEP_NUM_TASKS), or from
//            --group / TRAIL_RUN_GROUP;
//   meet     rank 0 begins the run as any `trail run` does and writes its id under
//            `.trail/groups/<hash of the key>`; every other rank waits for that file (and the
//            run's live folder) and attaches to the run: it holds `rank<R>.lock` there while
//            its program runs, which writes its metrics to `rank<R>.metrics.jsonl`
//            ($TRAIL_METRICS), and leaves `rank<R>.exit.json` when it ends;
//   end      rank 0, once its own program ended, waits for every other rank's exit (a rank whose
//            lock is free without an exit record died with its `trail run`; one that never
//            took its lock by the arrival deadline never arrived), then finalizes the run once:
//            rank R's metrics become `rank<R>/<name>` series, and the run fails naming the first
//            rank that failed, was killed or never arrived.
//
// Every rank reads the project through its shared file system: the locks are flock(2) locks
// (NFS v4 and Lustre/GPFS with flock support carry them between nodes). Where they are node-local
// (cluster.locks: node-local), a slot is still taken by link(2), atomic on every one of them,
// and rank 0 waits for exit records only (WaitForRanks).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "metrics/metric_set.h"
#include "project/project.h"
#include "recording/live_folder.h"
#include "trail/status.h"

namespace trail {

struct RankGroup {
  std::string key;       // what every rank of the job agrees on
  std::string launcher;  // "explicit", "torchrun", "slurm" or "env" (RANK/WORLD_SIZE alone)
  int rank = 0;
  int world_size = 1;
  double timeout_s = 600;  // how long ranks wait for each other to arrive (TRAIL_RANK_TIMEOUT)
};

// The largest world size trail accepts from an environment (a bound, not a limit anyone meets).
inline constexpr int kMaxWorldSize = 65536;

// The group this process is a rank of, from `explicit_group` (--group) and the environment
// read through `getenv`; nullopt when it is no rank of a multi-process job (no launcher
// variables, or a world of one). InvalidArgument for variables that contradict each other or
// are not numbers, naming the variable.
using GetEnv = std::function<const char*(const char*)>;
StatusOr<std::optional<RankGroup>> DetectRankGroup(const std::string& explicit_group, const GetEnv& getenv);

// The record's `ranks:` block at the start: world_size, group, launcher.
Json RanksStartBlock(const RankGroup& group);

// Rank 0: the run `id` is the group's now (written atomically; a stale one of an ended job
// with the same key is replaced).
Status PublishGroupRun(Project& project, const RankGroup& group, const std::string& id);
// Rank 0, once the run is finalized: the group's file is removed (only if it still names `id`).
void RetireGroupRun(Project& project, const RankGroup& group, const std::string& id);

// The outcome of the other ranks, as rank 0 waits for them.
struct RanksOutcome {
  std::vector<std::string> status;  // per rank: finished, failed, killed, crashed, missing
  // The rank that failed first, by when its program ended: "rank 2 was killed by signal 9";
  // empty when none failed.
  std::string failed;
  // The run's exit when another rank decides it: rank 0's program finished, or failed after
  // that rank's had exited non-zero (srun --kill-on-bad-exit then ends the step). nullopt: the
  // run's exit is rank 0's own.
  std::optional<ExitInfo> run_exit;
};

// Rank 0 after its program ended: waits until every other rank has ended (or died, or missed
// the arrival deadline `started + timeout_s`), calling `tick` every 100 ms. `own` is rank 0's
// own exit. Never fails: what cannot be read counts as that rank crashing. `locks_hold` false
// (cluster.locks: node-local): a rank's free lock proves nothing on another node, so only its
// exit record ends it; a rank whose trail run died outright is waited for until Slurm ends the
// job, and the login node records the run with Slurm's verdict (docs/cluster.md).
RanksOutcome WaitForRanks(const LiveRun& run, const RankGroup& group, const ExitInfo& own, double started,
                          bool locks_hold, const std::function<void()>& tick);

// Records the outcome in the record's `ranks:` block (status per rank, `failed`).
void AddRanksOutcome(Json& rec, const RanksOutcome& outcome);

// The series of every other rank's metrics file in the live folder, as `rank<R>/<name>`, added
// to `set` (what rank 0 logged keeps its own names). Malformed lines become `warnings`. A run
// without ranks has no such files: nothing happens.
void AddRankMetrics(const LiveRun& run, double ended, metrics::MetricSet& set, std::vector<std::string>* warnings);

// A rank other than 0 attached to its group's run: it holds its slot (`rank<R>.lock`) until
// EndRank. Its metrics go to `metrics_path`.
struct AttachedRank {
  std::string id, uid, dir, metrics_path, annotations_path;
  int rank = 0;
  FileLock lock;
};
// Waits (up to the group's timeout) for rank 0's run and takes this rank's slot in it.
// FailedPrecondition when no run appears in time, or the slot is taken (another process is this
// rank, or rank 0 gave up waiting for it).
StatusOr<AttachedRank> AttachRank(Project& project, const RankGroup& group);
// Writes the rank's exit record, then frees its slot: rank 0 may finalize the run from then on.
Status EndRank(AttachedRank& rank, const ExitInfo& exit);

// Ranks other than 0: `trail run` attaches to the group's run instead of starting one; runs
// `argv` (in `cwd`, with this process's environment and `env_overrides` NAME=VALUE over it; the
// run's TRAIL_* variables are set here) and returns its exit code (128+signal when killed). FailedPrecondition when
// rank 0's run never appears within the timeout, or this rank is already recording.
struct RankRun {
  std::string id;  // once attached
  int exit_code = 0;
};
StatusOr<RankRun> RecordRank(Project& project, const RankGroup& group, const std::vector<std::string>& argv,
                             const std::string& cwd, const std::vector<std::string>& env_overrides,
                             const std::function<void(const std::string& id)>& attached);

}  // namespace trail
