// The `metrics:` section of .trail/config.yaml: where metrics come from when
// the program does not write the TRAIL_METRICS protocol, and which series the
// derived metrics use.
//
//   metrics:
//     parse_output: true        # Keras and tqdm progress lines; key_values: also key=value / key: value lines; false:
//     off tensorboard: auto         # event files written during the run under its folder; off; or a list of log dirs
//     csv: auto                 # Keras CSVLogger files written during the run under its folder; off; or a list of
//     files train_loss: loss          # series for the derived metrics (defaults: common names) val_loss: val_loss
//     accuracy: val_accuracy
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "metrics/derived.h"
#include "trail/status.h"

namespace trail {

// The system sampler's interval (`metrics.system`, `trail run --system-metrics-interval`), in
// seconds: the default, and the range accepted.
inline constexpr double kDefaultSystemInterval = 5.0;
inline constexpr double kMinSystemInterval = 0.1;
inline constexpr double kMaxSystemInterval = 3600.0;

struct MetricsConfig {
  bool parse_output = true;
  bool key_values = false;  // also generic key=value / key: value lines
  bool tensorboard_auto = true;
  std::vector<std::string> tensorboard_dirs;  // relative to the run's folder, or absolute
  bool csv_auto = true;                       // CSVLogger files the run writes, found by their header
  std::vector<std::string> csv_files;         // relative to the run's folder, or absolute
  bool dvc = true;                            // dvc.yaml's metrics files and dvclive's series the run writes
  metrics::DerivedNames derived;
  // `system: off` (or false): no system/... series; a number: seconds between samples.
  bool system = true;
  double system_interval = kDefaultSystemInterval;
};

// "--system-metrics-interval 0.01: expected seconds from 0.1 to 3600" when out of range (or not
// finite); OK otherwise. `where` names the flag or key.
Status CheckSystemInterval(double seconds, const std::string& where);

// Reads the `metrics` key of the whole config; absent means the defaults.
// Errors name the key: ".trail/config.yaml: metrics.csv: expected a list of file paths".
StatusOr<MetricsConfig> ParseMetricsConfig(const Json& config);

}  // namespace trail
