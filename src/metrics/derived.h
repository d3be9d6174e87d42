// Derived metrics (the paper's Table 3): minimum validation loss, the average
// and maximum gap between training and validation loss aligned by step, and
// the best accuracy, computed from a run's final series.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "metrics/metric_set.h"

namespace trail::metrics {

// Which series to use. An empty name means "the first default that exists".
struct DerivedNames {
  std::string train_loss;
  std::string val_loss;
  std::string accuracy;
};

// The defaults, in the order tried: (train, validation) loss pairs as Keras,
// PyTorch scripts, Lightning and TensorBoard name them, and accuracy series,
// validation first.
const std::vector<std::pair<std::string, std::string>>& DefaultLossPairs();
const std::vector<std::string>& DefaultAccuracyKeys();

// A mapping for `metrics.derived`, empty when no series matched:
//   val_loss_min, val_loss_min_step      (min over the validation loss; NaN ignored)
//   train_val_gap_avg, train_val_gap_max, train_val_gap_max_step
//                                        (validation minus training loss at the steps both
//                                         have; the last point wins when a step repeats)
//   best_accuracy, best_accuracy_step    (max over the accuracy series)
//   sources: {train_loss, val_loss, accuracy}  (the series used)
Json DeriveMetrics(const MetricSet& set, const DerivedNames& names);

}  // namespace trail::metrics
