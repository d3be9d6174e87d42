// The Keras recogniser: one point per metric per epoch from Keras's progress output.
//
// Keras (2 and 3) prints "Epoch 3/100", then a progress line that it redraws while the epoch
// runs (running averages) and finishes when the epoch ends:
//   32/32 [==============================] - 1s 15ms/step - loss: 0.2100 - val_loss: 0.2500
//   32/32 ━━━━━━━━━━━━━━━━━━━━ 1s 15ms/step - accuracy: 0.9100 - loss: 0.2100
//   32/32 - 1s - loss: 0.2100 - val_loss: 0.2500 - 1s/epoch - 15ms/step       (verbose=2)
// Only final lines (see output_parser_terminal.h) are looked at, so redraws cost nothing here.
// Rules:
//   - "Epoch N/M" on a line of its own starts epoch N; the step of its points is N, as printed.
//   - Each " - key: value" item whose key is a metric name and whose value is a number is a
//     point; time items ("1s 15ms/step", "ETA: 3s", "1s/epoch") are not.
//   - An epoch's points are its last, fullest state. Keras may print between the bar reaching
//     its target and the epoch's final line (a ModelCheckpoint or ReduceLROnPlateau message, a
//     warning written into the open line), so the first line at the target (32/32) may be a
//     running state without the val_* and lr items that the final line adds. A line at the
//     target is therefore held, and a later line at the same target in the same epoch that
//     shows a metric the held state lacks is merged into it (its values win). Any other
//     progress line in the epoch (model.evaluate after the last epoch) ends it and adds nothing.
//   - The held state is recorded when the epoch is over: at the next "Epoch" line, at a progress
//     line that is not merged, when the output ends, or at once when it holds a val_* item
//     (Keras prints validation metrics only in the epoch's final line, so nothing fuller follows).
//   - A progress line short of its target (a non-TTY verbose=1 update, or the last redraw of an
//     epoch cut short) is held too, each replacing the last, until a line reaches the target.
//   - Progress lines before any "Epoch" line (evaluate or predict alone) add nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/metric_set.h"
#include "metrics/output_parser_text.h"

namespace trail::metrics::internal {

// A Keras progress line, read.
struct KerasProgress {
  int64_t current = 0;
  std::optional<int64_t> target;     // nullopt when Keras printed "Unknown"
  std::vector<PrintedValue> values;  // views into the line
};

// "Epoch N/M" (spaces around allowed) -> N.
std::optional<int64_t> ParseKerasEpochHeader(std::string_view line);

// Reads a progress line ("N/M" or "N/Unknown", then a bar or " - ", then " - "-separated
// items) into `out`. False when `line` is not one.
bool ParseKerasProgress(std::string_view line, KerasProgress& out);

class KerasRecogniser {
 public:
  // Takes one final line. Returns false when it is not Keras output, so that another recogniser
  // may read it. With `record` false the line is claimed but nothing is added (Keras parsing
  // turned off must not hand Keras lines to the key=value reader).
  bool OnFinalLine(std::string_view line, double now, bool record, MetricSet& out);
  // The output ended: records a held line.
  void Finish(MetricSet& out);

 private:
  // Takes a progress line of the current epoch into the held state, or ends the epoch.
  void Hold(double now, MetricSet& out);
  void Merge(double now);
  bool AddsAMetric() const;
  bool HoldsValidation() const;
  void RecordHeld(MetricSet& out);

  std::optional<int64_t> epoch_;
  bool epoch_recorded_ = false;
  KerasProgress progress_;  // reused across lines
  // The epoch's state so far: values in first-seen order, and whether they come from a line at
  // its target (then `held_target_` is that target).
  std::vector<std::pair<std::string, double>> held_;
  bool has_held_ = false;
  bool held_complete_ = false;
  std::optional<int64_t> held_target_;
  double held_time_ = 0;
};

}  // namespace trail::metrics::internal
