// The tqdm recogniser: points from the postfix of tqdm progress bars.
//
// A tqdm bar is one line, redrawn in place:
//   Epoch 2:  45%|████▌     | 45/100 [00:03<00:04, 12.1it/s, loss=0.231, acc=0.91]
//   Epoch 2: 45it [00:03, 12.1it/s, loss=0.231]                      (no total)
// Its metrics are the "key=value" items of the bracket (set_postfix); the rest of the bracket
// (elapsed<remaining, rate) is not. Each displayed state is read (kOverwritten and kFinal alike:
// a bar that never ends its line still has to yield points), but only its description and
// counter are, until a state is recorded. Rules:
//   - A bar is identified by its description with digits ignored, and its total: "Epoch 2" and
//     "Epoch 3" of 100 batches are one bar; nested bars (tqdm moves between rows with '\n' and
//     ESC[A) are different bars.
//   - Its step is the epoch number in the description if there is one ("Epoch 3", "epoch 3/10";
//     see FindEpochNumber), else its counter n (45 above).
//   - For each bar and step, the last state displayed at that step is recorded, once: when the
//     bar next shows another step, when more than kMaxBars bars are in play (the least recently
//     drawn is recorded and forgotten), or when the output ends. So an epoch bar gives one point
//     per epoch (its values at the end of the epoch, including a postfix set after the counter
//     reached 100%), a bar counting steps gives a point per counter value it displayed (tqdm
//     redraws at most ~10 times a second), and no step gets two points from one run of a bar.
//     A bar that starts again (a new bar with the same description and total, or reset()) may
//     show steps it showed before, and they are recorded again.
//   - Lightning's "v_num" (a version number) is not a metric. Items whose value is not a number
//     (strings, tensors printed as "tensor(0.2)") are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/metric_set.h"

namespace trail::metrics::internal {

// A tqdm bar state, read; views into the text.
struct TqdmBar {
  std::string_view description;  // "" when the bar has none
  int64_t n = 0;                 // the counter
  std::string_view total;        // as printed; "" when unknown
  std::string_view bracket;      // inside [...]: "00:03<00:04, 12.1it/s, loss=0.231"
};

// False when `text` is not a tqdm bar (or its counter is not an integer, as with unit_scale).
bool ParseTqdmBar(std::string_view text, TqdmBar& out);

class TqdmRecogniser {
 public:
  static constexpr size_t kMaxBars = 8;

  // Takes one line state. Returns false when it is not a tqdm bar. With `record` false the bar
  // is claimed but nothing is kept.
  bool OnState(std::string_view text, double now, bool record, MetricSet& out);
  // The output ended: records every bar's last state.
  void Finish(MetricSet& out);

 private:
  struct Bar {
    std::string identity;
    int64_t step = 0;
    double time = 0;
    std::string bracket;  // of the last state displayed; recorded when the step moves on
    uint64_t last_drawn = 0;
  };

  static void Record(const Bar& bar, MetricSet& out);

  std::vector<Bar> bars_;
  uint64_t draws_ = 0;
  TqdmBar parsed_;
  std::string identity_;  // scratch, reused
};

}  // namespace trail::metrics::internal
