// Metrics the program wrote to other tools' files: TensorBoard event files
// and Keras CSVLogger files (src/ingest/), read when a run is finalized.
#pragma once

#include <string>
#include <vector>

#include "core/metrics_config.h"
#include "metrics/metric_set.h"
#include "util/yaml.h"

namespace trail {

struct FileMetrics {
  metrics::MetricSet csv;          // CSVLogger files named in the config
  metrics::MetricSet tensorboard;  // event files
  Json origin = Json::object();    // metric name -> "csv <file>" / "tensorboard <file>"
};

// Reads every file that belongs to a run started at `started` (unix seconds)
// in the folder `run_cwd`:
//  - metrics.csv files (relative to run_cwd);
//  - metrics.tensorboard folders: every event file below each, named
//    "<subfolder>/<tag>" relative to the folder given (train/epoch_loss);
//  - otherwise (tensorboard: auto) event files below run_cwd written since
//    the run started, named "<tag>", or "<split>/<tag>" when the file's
//    folder is a split folder as Keras writes them (train/, validation/,
//    val/, test/, eval/), so names do not depend on timestamped log paths.
// Fail-soft: problems become warnings naming the file.
FileMetrics ReadFileMetrics(const MetricsConfig& config, const std::string& run_cwd, double started, double now,
                            std::vector<std::string>* warnings);

}  // namespace trail
