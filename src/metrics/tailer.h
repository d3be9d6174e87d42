// MetricsTailer: follows the metrics file a training process appends to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/line_parser.h"
#include "metrics/metric_set.h"
#include "metrics/time_marks.h"
#include "trail/status.h"

namespace trail::metrics {

// Reads the lines another process appends to `path` and parses them into a
// MetricSet. Poll() takes only complete ('\n'-terminated) lines, so a line
// the writer is halfway through waits for the next Poll; Finish() also takes
// a final unterminated line. A missing file is not an error (the child has
// not written yet). Malformed lines never fail a call: they become warnings
// "line N: <reason>" (N counts from 1), of which the first 100 are kept and
// the rest only counted. Errors are for the OS refusing to read or write.
//
// A line longer than kMaxLineBytes is never held in memory: it is skipped
// with the warning "line N: skipped, B bytes long (over ...)", and reading
// goes on with the next line.
//
// If the file shrinks (the child rewrote it) a warning says so and reading
// starts over from byte 0; points already read stay in the set.
//
// With a `time_marks_path`, every Poll/Finish that consumed lines appends a
// (offset, now) record there; see time_marks.h and Replay().
//
// Not thread-safe. Keeps the file open between calls.
class MetricsTailer {
 public:
  // A metrics line is a few hundred bytes; this is far beyond any real one
  // (and still a few times the 1 MiB read chunk, so long lines span reads).
  static constexpr size_t kMaxLineBytes = size_t{4} << 20;

  explicit MetricsTailer(std::string path, std::string time_marks_path = "");
  MetricsTailer(const MetricsTailer&) = delete;
  MetricsTailer& operator=(const MetricsTailer&) = delete;
  ~MetricsTailer();

  // Parses every complete line appended since the last call. Lines without
  // their own time are stamped `now`. Meant to be called every ~100 ms.
  Status Poll(double now, MetricSet& set);

  // Poll, then also parses a final line that lacks its newline. Call when
  // the writer has exited.
  Status Finish(double now, MetricSet& set);

  // For a reader recovering after a crash; call on a fresh tailer. Reads the
  // whole file as Finish would, but stamps each line that lacks a time with
  // TimeForOffset(marks, end of line, fallback). Writes no marks.
  Status Replay(const std::vector<TimeMark>& marks, double fallback, MetricSet& set);

  const std::vector<std::string>& warnings() const { return warnings_; }
  int64_t dropped_warnings() const { return dropped_warnings_; }
  // Lines consumed so far, blank and malformed ones included.
  int64_t lines() const { return lines_; }
  // Bytes consumed so far: the end of the last line parsed.
  uint64_t offset() const { return offset_; }

 private:
  // Where a line's default time comes from: `now`, or the marks in Replay.
  struct LineClock {
    const std::vector<TimeMark>* marks;
    double now;
  };

  // Opens the file if it exists yet; returns whether it is open.
  StatusOr<bool> EnsureOpen();
  Status ReadCompleteLines(const LineClock& clock, MetricSet& set);
  void TakeUnterminatedLine(const LineClock& clock, MetricSet& set);
  void ParseLine(std::string_view line, const LineClock& clock, MetricSet& set);
  // Consumes the rest of a line too long to hold, `tail_bytes` of it.
  void SkipLongLine(size_t tail_bytes);
  void Warn(std::string message);
  Status MarkTime(double now);

  std::string path_;
  std::string time_marks_path_;
  int fd_ = -1;
  std::optional<TimeMarks> time_marks_;
  uint64_t marked_offset_ = 0;  // offset in the last mark written
  bool restarted_ = false;      // the file shrank since the last mark

  LineParser parser_;
  // Bytes read but not yet consumed (the start of an unfinished line) are
  // buffer_[0, buffered_); the file has been read up to offset_ + buffered_.
  std::vector<char> buffer_;
  size_t buffered_ = 0;
  // While skipping a line over kMaxLineBytes: its bytes dropped so far (they
  // count as consumed in offset_).
  uint64_t long_line_bytes_ = 0;
  uint64_t offset_ = 0;
  int64_t lines_ = 0;

  std::vector<std::string> warnings_;
  int64_t dropped_warnings_ = 0;
};

}  // namespace trail::metrics
