// OutputMetricsCapture: metrics read from the child's terminal output (Keras
// and tqdm progress lines), without ever slowing the output down.
//
// The relay loop hands every chunk it has just written to the user to Feed(),
// which only copies it into a bounded queue; a worker thread parses it
// (metrics/output_parser.h, one parser per stream) and appends each new point
// to `path` as a metrics protocol line with its own step and time
// ({"step": 3, "time": 1764..., "loss": 0.21}), so the points are durable
// like the program's own TRAIL_METRICS file and a crash recovery reads them
// back. If the child writes faster than the parser keeps up and the queue is
// full, chunks are skipped (counted in dropped_bytes()) rather than making the
// relay wait.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metrics/metric_set.h"
#include "metrics/output_parser.h"

namespace trail {

class OutputMetricsCapture {
 public:
  OutputMetricsCapture(std::string path, metrics::OutputParserOptions options, size_t max_queued_bytes = 32 << 20);
  ~OutputMetricsCapture();
  OutputMetricsCapture(const OutputMetricsCapture&) = delete;
  OutputMetricsCapture& operator=(const OutputMetricsCapture&) = delete;

  // From the relay thread. Never blocks on parsing.
  void Feed(size_t stream, const char* data, size_t size);

  // Flushes the file to disk (from the supervisor's one-second tick).
  void Sync();

  // The output ended: parses what is queued, ends every stream's last line,
  // writes the remaining points and stops the worker. Idempotent.
  void Finish();

  uint64_t dropped_bytes() const;
  int64_t points() const;

 private:
  struct Chunk {
    size_t stream;
    std::string bytes;
  };
  void Work();
  void Parse(const Chunk& chunk);
  void Emit();

  const std::string path_;
  const metrics::OutputParserOptions options_;
  const size_t max_queued_bytes_;
  int fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Chunk> queue_;
  size_t queued_bytes_ = 0;
  uint64_t dropped_bytes_ = 0;
  bool finishing_ = false;

  // Worker-only state.
  std::vector<std::unique_ptr<metrics::OutputParser>> parsers_;
  metrics::MetricSet set_;
  std::vector<int64_t> emitted_;  // per key id: points already written
  std::string line_buffer_;
  int64_t points_ = 0;

  std::thread worker_;
  bool finished_ = false;
};

}  // namespace trail
