// The key=value recogniser: metrics from plain log lines. Off by default, because arbitrary
// logs hold many numbers that are not metrics.
//
// Reads only final lines (a line redrawn with '\r' counts as it finally stands), and only those
// no other recogniser claimed. On each line:
//   - A key is [A-Za-z_][A-Za-z0-9_./-]* starting a word (not preceded by such a character), or
//     the same in quotes ('loss' or "loss", as a printed Python dict has them).
//   - A metric is a key, then '=' or ':' (spaces allowed around), then a value that is a whole
//     token and a number (ParseMetricValue). A token ends at a space, a tab or one of ,;|)]}"'
//     so "loss=0.2," is 0.2 but "acc=91%", "eta=3s" and "time=12:30" are nothing.
//   - Step keys (any case): step, iter, iteration, global_step, and epoch. They are never
//     metrics. Their value must be an integer, and they may also be written with a space
//     ("epoch 3", "Step 100/1000", "epoch 3:"). The line's step is the first of step, iter,
//     iteration or global_step; without those, epoch; without both, each metric's step is its
//     own count (0, 1, 2, ...), as in the metrics protocol.
//   - A key seen twice on a line counts the first time only; past 256 metrics a line adds no
//     more.
// Examples: "epoch 3: train_loss=0.21 val_loss=0.25", "step 100 loss: 0.25 acc: 0.9",
// "INFO:root:epoch=3 loss=0.2", "{'loss': 0.2345, 'learning_rate': 5e-05, 'epoch': 0.27}"
// (a fractional epoch is not a step: loss and learning_rate then count their own steps).
#pragma once

#include <string_view>
#include <vector>

#include "metrics/metric_set.h"
#include "metrics/output_parser_text.h"

namespace trail::metrics::internal {

class KeyValueRecogniser {
 public:
  // Records the metrics of one final line; returns the points added.
  int OnFinalLine(std::string_view line, double now, MetricSet& out);

 private:
  std::vector<PrintedValue> values_;  // reused across lines
};

}  // namespace trail::metrics::internal
