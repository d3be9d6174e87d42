// How a long operation (adding or restoring data, gc, fsck, an index rebuild) says how far it
// has got, for a front end to show: the CLI draws a progress line on a terminal, the Python
// client passes none. Shared with every layer (as status.h): the layers report, never print.
#pragma once

#include <cstdint>
#include <string_view>

namespace trail {

// Implementations must be thread-safe: store ingest and restore call Advance from worker
// threads. Calls come as Begin, any number of Advance, End; an operation may run several such
// phases one after the other. A sink passed to a library function must outlive the call.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // A phase starts: `title` for people ("Adding data"), `unit` the plural name of what is
  // counted ("files", "packs", "runs"); a total of 0 is unknown (units) or not counted (bytes).
  virtual void Begin(std::string_view title, std::string_view unit, uint64_t total_units, uint64_t total_bytes) = 0;
  // `units` more units done, `bytes` more bytes; either may be 0 (a big file's bytes come
  // before its unit).
  virtual void Advance(uint64_t units, uint64_t bytes) = 0;
  // The phase is over (done, or stopped by an error: the caller reports which).
  virtual void End() = 0;
};

// Begin on construction and End on destruction, so every exit path ends the phase; a null sink
// makes every call a no-op, which is how callers that want no progress pass none.
class ProgressPhase {
 public:
  ProgressPhase(ProgressSink* sink, std::string_view title, std::string_view unit, uint64_t total_units,
                uint64_t total_bytes)
      : sink_(sink) {
    if (sink_) sink_->Begin(title, unit, total_units, total_bytes);
  }
  ~ProgressPhase() {
    if (sink_) sink_->End();
  }
  ProgressPhase(const ProgressPhase&) = delete;
  ProgressPhase& operator=(const ProgressPhase&) = delete;

 private:
  ProgressSink* sink_;
};

// Advance on a sink that may be null.
inline void ReportProgress(ProgressSink* sink, uint64_t units, uint64_t bytes) {
  if (sink) sink->Advance(units, bytes);
}

namespace api {
using trail::ProgressSink;
}  // namespace api

}  // namespace trail
