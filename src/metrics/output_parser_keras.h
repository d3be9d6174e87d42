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
//   - The epoch's points come from the first progress line that reaches its target (32/32):
//     that is the line Keras prints when the epoch ends. Progress lines after it in the same
//     epoch (model.evaluate after the last epoch) add nothing.
//   - A progress line short of its target (a non-TTY verbose=1 update, or the last redraw of an
//     epoch cut short) is held; the last one held is recorded when the next "Epoch" line comes
//     or the output ends, if the epoch recorded nothing else.
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
  void RecordHeld(MetricSet& out);

  std::optional<int64_t> epoch_;
  bool epoch_recorded_ = false;
  KerasProgress progress_;  // reused across lines
  std::vector<std::pair<std::string, double>> held_;
  bool has_held_ = false;
  double held_time_ = 0;
};

}  // namespace trail::metrics::internal
