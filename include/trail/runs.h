// Querying and editing recorded runs: listing, reading a record and its series, code diffs,
// tags, notes, archiving, and the local runs index. A run is named by its id ("fraud-58"), its
// number ("58") or its uid.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "trail/json.h"
#include "trail/progress.h"
#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

// A listing's query (docs/query.md): MLflow-style filter plus or/not/().
struct RunQuery {
  std::string where;        // "metrics.loss < 0.3 and params.opt = 'adam'"; empty: all
  std::string sort;         // started, metrics.loss, params.lr, ...; empty: newest first
  bool descending = false;  // for an explicit sort key
  int64_t limit = -1;       // -1: no limit
  int64_t offset = 0;       // rows of the ordered result to skip first (a table's page)
  bool include_archived = false;
};

// What a listing shows of a run: the indexed columns, not the whole record.
struct RunRow {
  std::string id;
  int64_t number = 0;
  std::string name, status, user, started, parent;
  std::optional<double> duration_s;
  std::optional<int64_t> exit_code;
  bool archived = false;
  Json params = Json::object();   // key -> typed value
  Json metrics = Json::object();  // key -> {last, min, max, count, ...}
  Json tags = Json::object();
  Json derived = Json::object();  // metrics.derived: name -> number (val_loss_min, best_accuracy, ...)
  Json context = Json::object();  // the record's context fields (config.yaml `context:`) and a few
                                  // environment facts: "python", "gpu_count", "host", ... -> scalar
  // The primary model artifact's summary (the one with the most parameters; docs/models.md):
  // format, framework, framework_version, parameters, tensors, tensor_bytes, layers, artifact.
  Json model = Json::object();
};

// Brings the runs index up to date with the runs branch. Returns the records on the branch
// that could not be read (skipped by listings), one line each.
StatusOr<std::vector<std::string>> SyncIndex(Project& project);

// Runs still in progress (not on the branch yet), newest first, at most `limit` (-1: all), as
// rows with status "running".
std::vector<RunRow> LiveRuns(Project& project, int64_t limit);

// Calls `visit` for each run on the branch that `query` selects, in its order, streamed from
// the index (synced first). Stops at, and returns, the first error of `visit` or the query.
Status ForEachRun(Project& project, const RunQuery& query, const std::function<Status(const RunRow&)>& visit);

// Checks a query's `where` and `sort` without running them (as a query box does while the user
// types): InvalidArgument with the message ForEachRun would give ("bad query at column 17: ...").
Status CheckRunQuery(const RunQuery& query);

// How many runs `where` selects (archived ones only with include_archived). InvalidArgument for a
// bad query, with the same message as ForEachRun.
StatusOr<int64_t> CountRuns(Project& project, const std::string& where, bool include_archived);

// Every key the project's runs use, sorted, for a column chooser: params, metrics, tags, derived
// metrics and context fields (RunRow's maps), each with how many runs have it.
struct RunKey {
  std::string key;
  int64_t runs = 0;
};
struct RunKeys {
  std::vector<RunKey> params, metrics, tags, derived, context, model;
};
StatusOr<RunKeys> ListRunKeys(Project& project);

struct IndexReport {
  int64_t runs = 0;                     // rows the index holds now
  std::vector<std::string> unreadable;  // records skipped, as SyncIndex
};

// `trail index`: checks the index's rows against the branch (or, with `rebuild`, throws it away)
// and rebuilds it when they disagree; the reason it was rebuilt goes to `warnings` first.
// `progress` (may be null, must outlive the call): a rebuild is one phase, "Indexing runs".
StatusOr<IndexReport> CheckIndex(Project& project, bool rebuild, std::vector<std::string>* warnings,
                                 ProgressSink* progress = nullptr);

// A run as stored on the runs branch.
struct StoredRun {
  std::string ref;  // as it was asked for (LoadRun's argument): messages name it so
  Json record;      // run.yaml (docs/formats/run-yaml.md)
  std::string dir;  // "runs/000/fraud-58", on the branch
  std::string tip;  // the branch commit it was read from
};

// NotFound names `ref` when no run matches it.
StatusOr<StoredRun> LoadRun(Project& project, const std::string& ref);
// The run's captured output (its last 64 KiB); NotFound "<ref> has no captured output".
StatusOr<std::string> ReadRunOutput(Project& project, const StoredRun& run);
// One metric's whole series as TSV (step, time, value); NotFound "<ref> has no series <metric>".
StatusOr<std::string> ReadSeries(Project& project, const StoredRun& run, const std::string& metric);
// `git diff --stat` and the full patch between two code snapshots (commit ids).
StatusOr<std::string> CodeDiffStat(Project& project, const std::string& a, const std::string& b);
StatusOr<std::string> CodePatch(Project& project, const std::string& a, const std::string& b);

// Tags to set (KEY=VALUE, values kept as text) and to remove, checked before any run is read.
struct TagEdit {
  Json set = Json::object();
  std::vector<std::string> remove;
  std::string summary;  // " k=v -k2": what the commit message lists
};
// InvalidArgument for an empty edit or a malformed KEY=VALUE.
StatusOr<TagEdit> ParseTagEdit(const std::vector<std::string>& set, const std::vector<std::string>& remove);

// Each is one commit on the runs branch. NotFound for an unknown run, or a tag to remove that
// the run lacks (then nothing is committed).
Status TagRun(Project& project, const std::string& ref, const TagEdit& edit);
// A note by the project's Git user, stamped with the current time.
Status AddNote(Project& project, const std::string& ref, const std::string& text);
// Archives the run (it stays on the branch; listings skip it unless asked), or un-archives it.
Status ArchiveRun(Project& project, const std::string& ref, bool archived);

}  // namespace trail::api
