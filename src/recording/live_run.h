// A run in progress and its state under .trail/live/<id>/: allocation, the exit record, finalizing
// and crash recovery. The folder's files are named in record/live_files.h
// (docs/formats/live-runs.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "project/project.h"
#include "metrics/metric_set.h"
#include "metrics/tailer.h"
#include "trail/status.h"
#include "base/files.h"
#include "base/yaml.h"

namespace trail {

struct ExitInfo {
  int exit_code = 0;
  int signal = 0;  // non-zero: killed by this signal
  double ended = 0;
};

struct LiveRun {
  std::string id;
  int64_t number = 0;
  std::string dir;  // absolute path of .trail/live/<id>
  FileLock lock;    // held for the whole run

  std::string path(const char* file) const { return JoinPath(dir, file); }
};

// Allocates the next run number (unique among the branch, live runs and every
// number ever handed out here) and creates its live folder, holding its lock.
StatusOr<LiveRun> AllocateRun(Project& project);

// The highest run number recorded in `commit` of the runs branch; 0 when it has none.
int64_t MaxRunNumberIn(Project& project, const std::string& commit);

// The next run number above `floor`, handed out as AllocateRun does (above the counter, the
// branch and every live run) and saved in the counter, for a run that must change its number
// (docs/remotes.md, "Sharing runs between clones"). The caller holds project.LockWriters().
StatusOr<int64_t> TakeRunNumberLocked(Project& project, int64_t floor);

// Deletes refs/trail/code/<old_id> if it points at `snapshot`: the code ref of a run that now
// has another id. The old name belongs to another clone's run, whose ref must be able to come in.
void DropCodeRefIfOurs(Project& project, const std::string& old_id, const std::string& snapshot);

// exit.json is how a run's real exit status survives its trail process (see
// RecoverAbandonedRuns). Space for it is reserved before the child starts
// (`exit.reserve`, a few hundred blank bytes), so that a program that filled
// the disk still has its exit status recorded: WriteExitRecord writes
// exit.json normally and, when that fails, into the reserved file in place
// (overwriting allocates nothing) before renaming it to exit.json.
Status ReserveExitRecord(const LiveRun& run);
Status WriteExitRecord(const LiveRun& run, const ExitInfo& exit);

// Metric series whose TSV reaches this size go to the object store (`metrics.series.KEY:
// {oid, size}`); smaller ones are files beside the record on the runs branch.
inline constexpr size_t kSeriesInStoreBytes = 256 * 1024;

// Writes the final record of a live run to the runs branch and removes its live
// folder. `exit` is empty when the run's supervisor died (status: crashed).
// Idempotent: if the branch already holds this run (same uid), only cleans up.
// `tailer`/`set` continue what the supervisor read while the run was live;
// when null (recovery) the metrics file is read from the start.
struct LiveMetrics {
  metrics::MetricsTailer* tailer = nullptr;
  metrics::MetricSet* set = nullptr;
};
StatusOr<Json> FinalizeRun(Project& project, const LiveRun& run, const Json& start_record,
                           const std::optional<ExitInfo>& exit, const std::string& output_tail,
                           LiveMetrics live, std::vector<std::string>* warnings);

// Start records of the runs in progress (their lock is held), newest first.
std::vector<Json> ListLiveRuns(Project& project);

// Finalizes every live run whose supervisor and child are both gone. Returns
// the ids it recorded; problems go to `warnings`. Cheap when nothing is live.
std::vector<std::string> RecoverAbandonedRuns(Project& project, std::vector<std::string>* warnings);

}  // namespace trail
