// Reading an MLflow file store (the `mlruns/` folder MLflow's FileStore writes), as untrusted
// input: every name is checked (UTF-8, no "..", no absolute path, no NUL), no symbolic link is
// followed (one anywhere in what is read is an error), meta.yaml, params and tags are bounded
// in size and metric lines in length, and the first malformed file is an error naming it.
//
// Layout read (docs/mlflow.md, "Import an MLflow file store"):
//   <root>/<experiment_id>/meta.yaml            name, experiment_id, lifecycle_stage
//   <root>/<experiment_id>/<run_id>/meta.yaml   run_id, run_name, experiment_id, user_id, status
//                                               (1..5), start_time, end_time (ms), lifecycle_stage
//   <run>/params/<key>, <run>/tags/<key>        the value as text; a key with '/' is a subfolder
//   <run>/metrics/<key>                         lines "timestamp value [step]", timestamp in ms
//   <run>/artifacts/...                         files and folders (artifact_uri is not followed)
//   <root>/.trash/<experiment_id>/              deleted experiments
//   <root>/models/                              registered models: not read (counted only)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metrics/metric_set.h"
#include "trail/status.h"

namespace trail::importers {

// Bounds on what one file may hold. MLflow itself caps params at 6,000 characters and tags at
// 8,000; these leave room and still keep a hostile store from filling memory.
inline constexpr size_t kMaxMetaBytes = 64 * 1024;
inline constexpr size_t kMaxValueBytes = 64 * 1024;
inline constexpr size_t kMaxMetricLineBytes = 1024;
inline constexpr int kMaxKeyDepth = 16;       // folders in one param/metric/tag key
inline constexpr int kMaxArtifactDepth = 64;  // folders below artifacts/

// MLflow's RunStatus values.
enum class MlflowStatus { kRunning = 1, kScheduled = 2, kFinished = 3, kFailed = 4, kKilled = 5 };

struct MlflowRun {
  std::string run_id, experiment_id, name, user;
  MlflowStatus status = MlflowStatus::kFinished;
  std::optional<int64_t> start_ms, end_ms;
  bool deleted = false;
  std::vector<std::pair<std::string, std::string>> params, tags;  // key -> text, sorted by key
  metrics::MetricSet metrics;                                     // time in unix seconds
  // Path inside the run's artifacts ('/'-separated) -> absolute path of the file.
  std::vector<std::pair<std::string, std::string>> artifacts;
};

struct MlflowExperiment {
  std::string id, name;
  bool deleted = false;  // lifecycle_stage deleted, or under .trash/
  std::vector<MlflowRun> runs;
};

struct MlflowReadOptions {
  // Experiments to read, each a name or an id; empty: all. One that matches none is NotFound.
  std::vector<std::string> experiments;
  bool include_deleted = false;
};

struct MlflowStore {
  std::vector<MlflowExperiment> experiments;  // the selected ones, by id; runs by start time
  int64_t skipped_deleted_runs = 0;           // deleted runs (and the runs of deleted experiments) left out
  int64_t skipped_deleted_experiments = 0;
  bool has_registered_models = false;  // <root>/models exists (not imported)
};

// Reads the selected experiments and their runs whole (metric points and the list of artifact
// files; artifact contents are read later, by whoever stores them). InvalidArgument or Corrupt
// naming the file for anything malformed, unsafe or over a bound; NotFound for a missing root.
StatusOr<MlflowStore> ReadMlflowStore(const std::string& root, const MlflowReadOptions& options);

// One metric file's line: `timestamp value [step]` (step 0 when absent), as MLflow writes it.
struct MlflowMetricLine {
  int64_t timestamp_ms = 0;
  double value = 0;
  int64_t step = 0;
};
std::optional<MlflowMetricLine> ParseMlflowMetricLine(std::string_view line);

}  // namespace trail::importers
