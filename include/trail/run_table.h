// A listing as typed columns, for tables of many runs (the Python client's search_runs makes
// its DataFrame from one): the runs `trail ls` lists, read a table at a time instead of a run
// at a time, so 100,000 runs cost a few passes over the index rather than 400,000 queries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trail/project.h"
#include "trail/runs.h"
#include "trail/status.h"

namespace trail::api {

// One keyed column (params.lr, metrics.loss, tags.stage, ...): per row, what the run holds, if
// anything. A column is numeric when every present value is an int or a float.
struct ValueColumn {
  enum Type : uint8_t { kMissing = 0, kInt, kFloat, kBool, kText };
  std::string name;                    // "params.lr", "metrics.loss", "min(metrics.loss)", "tags.stage", ...
  std::vector<uint8_t> type;           // per row, a Type
  std::vector<double> number;          // per row: an int's, float's or bool's (0/1) value; NaN otherwise
  std::vector<int64_t> integer;        // per row, an int exactly; empty when the column has no int
  std::vector<std::string> text;       // per row, a text; empty when the column has no text
  int64_t count[5] = {0, 0, 0, 0, 0};  // rows of each Type
};

struct RunTable {
  static constexpr int64_t kNoTime = INT64_MIN;  // numpy's NaT

  size_t rows = 0;
  // The run's attributes, one entry per row. status is trail's (finished, crashed, ...).
  std::vector<std::string> id, name, status, user, parent;
  std::vector<int64_t> number;
  std::vector<int64_t> start_ns, end_ns;  // nanoseconds since the epoch, kNoTime when unknown
  std::vector<double> duration_s;         // NaN when unknown
  std::vector<int64_t> exit_code;         // valid where has_exit_code
  std::vector<uint8_t> has_exit_code, archived;
  // params.K, metrics.K (the last value; with summaries, then min(metrics.K), max(metrics.K) and
  // count(metrics.K) beside it), tags.K, derived.K, context.K, model.K: each group sorted by key.
  std::vector<ValueColumn> columns;
  std::vector<std::string> unreadable;  // records skipped, as SyncIndex
};

// The runs ForEachRun lists for `query`, in its order, with the runs in progress first when the
// listing is unfiltered, unsorted and not paged (as `trail ls` shows them). InvalidArgument for
// a bad query, with ForEachRun's message.
StatusOr<RunTable> ReadRunTable(Project& project, const RunQuery& query, bool summaries);

}  // namespace trail::api
