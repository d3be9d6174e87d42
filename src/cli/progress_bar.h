// The progress line of long operations on a terminal, as git draws it:
//   Adding data:  63% (1234/1950 files), 1.2 GiB | 210.0 MiB/s, ETA 4s
// redrawn in place on stderr at most ten times a second, and a last line ending ", done.".
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "trail/progress.h"

namespace trail::cli {

class ProgressBar : public api::ProgressSink {
 public:
  // The outside world, injectable so tests drive the clock and read what was drawn.
  struct Options {
    std::function<double()> now;                    // monotonic seconds; default: steady_clock
    std::function<void(const std::string&)> write;  // default: stderr, flushed
    std::function<int()> columns;                   // the terminal's width; default: stderr's, else 80
    double min_interval_s = 0.1;                    // between two redraws
    // Nothing is drawn until a phase has run this long: an add of one small file stays silent
    // on a terminal. 0 (--progress) draws from the start and always ends with the last line.
    double delay_s = 0;
    double window_s = 3;  // the rate (and so the ETA) is over the last few seconds, not the whole run
  };

  explicit ProgressBar(Options options);
  ~ProgressBar() override;

  void Begin(std::string_view title, std::string_view unit, uint64_t total_units, uint64_t total_bytes) override;
  void Advance(uint64_t units, uint64_t bytes) override;
  void End() override;

  // The line for the current state at `now`, without drawing it (for tests and for End).
  std::string LineAt(double now, bool done);

 private:
  struct Sample {
    double t;
    uint64_t units, bytes;
  };
  void DrawLocked(double now, bool done);
  std::string LineLocked(double now, bool done);

  Options options_;
  std::mutex mu_;
  bool active_ = false;
  bool drawn_ = false;  // this phase has drawn something
  std::string title_, unit_;
  uint64_t total_units_ = 0, total_bytes_ = 0;
  uint64_t units_ = 0, bytes_ = 0;
  double started_ = 0, last_draw_ = 0;
  std::deque<Sample> samples_;  // the rate's window
};

// "1.2 GiB" style sizes and "4s", "1m05s", "2h03m" times, as the line shows them.
std::string ProgressBytes(double bytes);
std::string ProgressEta(double seconds);

}  // namespace trail::cli
