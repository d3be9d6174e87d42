// A listing read a table at a time, for a table of every run (the Python client's
// search_runs). RunIndex::ForEach reads each run's params, metrics, tags and fields with four
// queries per run and builds a RunRow of Json maps: right for a page, slow for 100,000 runs.
// ScanRuns reads the matching runs' attributes in listing order, then each keyed table in one
// pass, and hands every value over as it is read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "index/run_index.h"
#include "trail/json.h"
#include "trail/status.h"

namespace trail::index {

// A run's attributes, as the runs table holds them.
struct ScannedRun {
  std::string id, name, status, user, parent;
  int64_t number = 0;
  std::optional<double> started_ts, ended_ts, duration_s;  // unix seconds; seconds
  std::optional<int64_t> exit_code;
  bool archived = false;
};

// A metric's summary: each part unset when the index has none.
struct ScannedMetric {
  std::optional<double> last, min, max;
  std::optional<int64_t> count;
};

// Receives a scan. `position` is the run's place in the listing (0 first), as Run was called.
class RunScanSink {
 public:
  virtual ~RunScanSink() = default;
  virtual void Run(const ScannedRun& run) = 0;
  // Typed as RunRow's maps: params and fields by record::TypedValue, tags as text. A field's key
  // keeps its prefix ("derived.val_loss_min", "context.python", "model.parameters").
  virtual void Param(size_t position, const std::string& key, const Json& value) = 0;
  virtual void Tag(size_t position, const std::string& key, const std::string& value) = 0;
  virtual void Field(size_t position, const std::string& key, const Json& value) = 0;
  virtual void Metric(size_t position, const std::string& key, const ScannedMetric& metric) = 0;
};

// The runs `q` selects (q.use_columns and q.walk_budget are ignored), in ForEach's order, from
// the index file at `path` through a connection of its own, in one read transaction. Call it
// once the index is up to date (RunIndex::Sync). InvalidArgument for a bad query.
Status ScanRuns(const std::string& path, const ListQuery& q, RunScanSink& sink);

}  // namespace trail::index
