// Time marks: a side file recording when each stretch of the metrics file
// was read, so that lines without their own "time" can be given the right
// wall time again if the reading process (trail) dies and a later process
// re-reads the metrics file.
//
// File format: no header, a sequence of 16-byte records, one per Poll that
// consumed new lines:
//   bytes 0..7   uint64, little-endian: offset in the metrics file just past
//                the last line consumed (every byte before it has been read)
//   bytes 8..15  IEEE-754 binary64, little-endian: unix seconds at which
//                those bytes were read
// Records are appended in reading order, so offsets increase -- except when
// the metrics file was truncated: the reader then writes a record with
// offset 0 and starts over, and LoadTimeMarks drops the marks before any
// such decrease (they describe bytes that no longer exist). A file whose
// length is not a multiple of 16 ends in a record torn by a crash; the torn
// tail is ignored. Records are not fsynced: they guard against the reader
// crashing, not the machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trail/status.h"

namespace trail::metrics {

struct TimeMark {
  uint64_t offset;
  double time;
};

// Appends records to a time-mark file. Move-only; closes the file when done.
class TimeMarks {
 public:
  // Opens `path` for appending, creating it if needed.
  static StatusOr<TimeMarks> Open(const std::string& path);

  TimeMarks(TimeMarks&& other) noexcept;
  TimeMarks& operator=(TimeMarks&& other) noexcept;
  TimeMarks(const TimeMarks&) = delete;
  TimeMarks& operator=(const TimeMarks&) = delete;
  ~TimeMarks();

  Status Append(uint64_t offset, double time);

 private:
  TimeMarks(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_ = -1;
  std::string path_;
};

// Reads every whole record of `path`, keeping only those written since the
// last restart (see above), so offsets are increasing. A missing file has no
// marks.
StatusOr<std::vector<TimeMark>> LoadTimeMarks(const std::string& path);

// The marks a reader of the bytes past `after` needs (a live chart polling the metrics file):
// those with offset > `after`, or, when there are none, the last mark. Reads only them, after a
// binary search over the records, so a poll costs the same at the start of a run and a day into
// it. The same records as LoadTimeMarks would give for those offsets, as long as the file was not
// restarted before them (then the ones after the last restart). Opens no symlink; a missing file
// has no marks.
StatusOr<std::vector<TimeMark>> LoadTimeMarksAfter(const std::string& path, uint64_t after);

// The time at which a line ending at byte `line_end` (just past its
// newline) was read: that of the first mark with offset >= line_end. Lines
// past the last mark get the last mark's time (the closest bound known);
// with no marks at all, `fallback`.
double TimeForOffset(const std::vector<TimeMark>& marks, uint64_t line_end, double fallback);

}  // namespace trail::metrics
