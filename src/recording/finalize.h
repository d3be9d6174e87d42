// Finalizing a run: its live folder becomes a record on the runs branch, in three steps.
//
//   collect  CollectRun reads the live folder (start record, annotations, stop file, metrics
//            log and its time marks, output and file metrics) into a FinishedRun;
//   store    StoreRunOutputs puts its artifacts and long metric series into the object store;
//   commit   CommitRun writes it to the runs branch in one commit, under the writer lock.
//
// FinalizeRun does the three and removes the live folder. The same code finalizes a run its
// recorder finished and one recovered after its recorder died (RecoverAbandonedRuns).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/yaml.h"
#include "metrics/metric_set.h"
#include "metrics/tailer.h"
#include "project/metrics_config.h"
#include "project/project.h"
#include "recording/live_folder.h"
#include "store/local_store.h"
#include "trail/status.h"

namespace trail {

// Metric series whose TSV reaches this size go to the object store (`metrics.series.KEY:
// {oid, size}`); smaller ones are files beside the record on the runs branch.
inline constexpr size_t kSeriesInStoreBytes = 256 * 1024;

// What the supervisor read while the run was live, for the record to continue; both null
// (recovery): the metrics file is read from the start.
struct LiveMetrics {
  metrics::MetricsTailer* tailer = nullptr;
  metrics::MetricSet* set = nullptr;
};

struct FinalizeOptions {
  std::optional<ExitInfo> exit;  // empty when the run's supervisor died (status: crashed)
  std::string output_tail;       // committed as output.log when not empty
  LiveMetrics live;
  std::vector<std::string>* warnings = nullptr;  // what went wrong but did not stop the record
};

// A finished run as collected from its live folder: the record and the files that go beside
// it. The record's id and number are the live folder's until CommitRun finds them taken.
struct FinishedRun {
  Json record;
  // Files under the run's folder on the branch (metrics/<series>.tsv): path, content.
  std::vector<std::pair<std::string, std::string>> series_files;
  // Series too long for the branch (kSeriesInStoreBytes): metric key, TSV. StoreRunOutputs
  // moves them into the store, or back to series_files when the store fails.
  std::vector<std::pair<std::string, std::string>> big_series;
  std::string output_tail;
};

// Collect: reads the live folder of `run` into a FinishedRun. Never fails: what cannot be read
// becomes a warning in the record (metrics.warnings) and in `options.warnings`.
FinishedRun CollectRun(Project& project, const LiveRun& run, const Json& start_record, const FinalizeOptions& options);

// Store: stores the run's artifacts and long series, and names them in the record. Problems
// become warnings; a series that cannot be stored stays on the branch. Returns the store, open
// (its shared lock held) when anything went into it: keep it until the record is committed, so
// gc cannot drop what the record is about to name.
std::unique_ptr<store::LocalStore> StoreRunOutputs(Project& project, const LiveRun& run, FinishedRun& finished,
                                                   std::vector<std::string>* warnings);

// The record's `metrics:` block for `set` (summary, series, `origin` when not empty, derived),
// its series files put in `out.series_files` or `out.big_series`: the one builder of it, for
// recorded runs and imported ones (import_run.h).
Json SummarizeMetrics(const metrics::MetricSet& set, const MetricsConfig& config, const Json& origin, FinishedRun& out);

// Moves `finished.big_series` into the store (opened into `store` when null) and names them in
// the record; a series the store refuses stays on the branch, with a warning.
void StoreBigSeries(Project& project, FinishedRun& finished, std::unique_ptr<store::LocalStore>& store,
                    std::vector<std::string>* warnings);

// Commit: writes the record and its files to the runs branch in one commit. Idempotent: when
// the branch already holds this run (same uid, as many attempts), commits nothing; a later
// attempt of a resumed run (more attempts) replaces the run's folder, files it no longer names
// removed. When another run took its
// number meanwhile (fetched from a clone that numbered independently), the run takes a new
// one from TakeRunNumberLocked and says so (`renumbered_from`, a warning). Leaves the final
// record in `finished.record`, canonical.
Status CommitRun(Project& project, const LiveRun& run, FinishedRun& finished, std::vector<std::string>* warnings);

// Collect, store and commit, then remove the live folder. Returns the record.
StatusOr<Json> FinalizeRun(Project& project, const LiveRun& run, const Json& start_record,
                           const FinalizeOptions& options);

}  // namespace trail
