// Stopping rules applied to a trial's live metric stream.
//
// Patience (early_stop, within a trial): the trial stops once `patience`
// consecutive points of the metric brought no improvement (by more than
// min_delta) over the best point before them.
//
// Median (prune, across trials): at each step s >= after_steps, the trial's
// best value so far is compared with the median of the values that earlier
// completed trials reported at step s (the last point at s; trials with no
// point at s do not vote). Worse than the median -> prune. Nothing is pruned
// until `min_trials` completed trials vote at that step. This is Optuna's
// MedianPruner rule.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metrics/metric_set.h"
#include "sweep/spec.h"

namespace trail::sweep {

// Why a trial should stop, or nullopt to let it go on.
std::optional<std::string> CheckPatience(const EarlyStop& rule, const std::vector<metrics::Point>& series);

// An earlier trial's metric by step (the last point at each step).
using StepValues = std::map<int64_t, double>;
StepValues ByStep(const std::vector<metrics::Point>& series);

std::optional<std::string> CheckMedian(const Prune& rule, const std::vector<metrics::Point>& series,
                                       const std::vector<StepValues>& earlier_trials);

}  // namespace trail::sweep
