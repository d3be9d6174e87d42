// DVC's metric files a run writes, read as DVC reads them (docs/run.md, "DVC's files"):
//  - the files `dvc.yaml` lists under `metrics:` (its top level and every stage's), JSON or YAML:
//    every number in them becomes a metric of one point, nested keys flattened with dots
//    ({"train": {"acc": 0.9}} -> train.acc), as `dvc metrics show` names them;
//  - dvclive's output: `<dir>/plots/metrics/**.tsv` (timestamp, step, value columns) become whole
//    series named by their path below plots/metrics with dots (train/loss.tsv -> train.loss),
//    and `<dir>/metrics.json` the values of those with no series; <dir> is `dvclive`, and the
//    folder of every `.../metrics.json` dvc.yaml lists.
// Only files written since the run started count (as the other metric files, by modification
// time). Every file is untrusted: paths from dvc.yaml must stay below the run's folder, no
// symbolic link is followed, sizes are bounded before anything is read, nesting is bounded.
// Fail-soft: problems become warnings naming the file.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "metrics/metric_set.h"

namespace trail {
// Files modified a little before the run started still count as the run's (file metrics and
// DVC's files alike): file systems with coarse timestamps, and a writer opened just before the
// clock read.
inline constexpr double kMtimeSlackSeconds = 2;
}  // namespace trail

namespace trail {

inline constexpr int64_t kMaxDvcFileBytes = int64_t{1} << 20;         // dvc.yaml, metrics files
inline constexpr int64_t kMaxDvcliveSeriesBytes = int64_t{64} << 20;  // one dvclive TSV
inline constexpr size_t kMaxDvcliveSeriesFiles = 256;

// The metric files `dvc.yaml` in `run_cwd` lists, relative to it, in order, each once; unsafe
// paths are left out with a warning. None when there is no dvc.yaml.
std::vector<std::string> DvcMetricsFiles(const std::string& run_cwd, std::vector<std::string>* warnings);

// Reads the DVC metric files and dvclive series below `run_cwd` modified at or after `since`
// (unix seconds) into `set`; origin[name] = "dvc <file>" / "dvclive <file>". Points of a metrics
// file are stamped with the file's modification time and step 0 (dvclive's metrics.json: its
// "step").
void ReadDvcMetrics(const std::string& run_cwd, double since, metrics::MetricSet* set, Json* origin,
                    std::vector<std::string>* warnings);

// Flattens the numbers of a parsed metrics document: {"a": {"b": 1}} -> ("a.b", 1). Strings,
// bools and lists are skipped (DVC shows only numbers as metrics).
void FlattenMetricNumbers(const Json& doc, const std::string& prefix, std::vector<std::pair<std::string, double>>* out);

}  // namespace trail
