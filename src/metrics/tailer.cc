#include "metrics/tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/errors.h"

namespace trail::metrics {
namespace {

constexpr size_t kReadChunk = size_t{1} << 20;
constexpr size_t kMaxWarnings = 100;

}  // namespace

MetricsTailer::MetricsTailer(std::string path, std::string time_marks_path)
    : path_(std::move(path)), time_marks_path_(std::move(time_marks_path)) {}

MetricsTailer::~MetricsTailer() {
  if (fd_ >= 0) ::close(fd_);
}

Status MetricsTailer::Poll(double now, MetricSet& set) {
  TRAIL_RETURN_IF_ERROR(ReadCompleteLines(LineClock{nullptr, now}, set));
  return MarkTime(now);
}

Status MetricsTailer::Finish(double now, MetricSet& set) {
  LineClock clock{nullptr, now};
  TRAIL_RETURN_IF_ERROR(ReadCompleteLines(clock, set));
  TakeUnterminatedLine(clock, set);
  return MarkTime(now);
}

Status MetricsTailer::Replay(const std::vector<TimeMark>& marks, double fallback, MetricSet& set) {
  LineClock clock{&marks, fallback};
  TRAIL_RETURN_IF_ERROR(ReadCompleteLines(clock, set));
  TakeUnterminatedLine(clock, set);
  return Status::Ok();
}

StatusOr<bool> MetricsTailer::EnsureOpen() {
  if (fd_ >= 0) return true;
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ >= 0) return true;
  if (errno == ENOENT) return false;
  return ErrnoError("cannot open metrics file", path_);
}

Status MetricsTailer::ReadCompleteLines(const LineClock& clock, MetricSet& set) {
  TRAIL_ASSIGN_OR_RETURN(bool open, EnsureOpen());
  if (!open) return Status::Ok();

  uint64_t read_pos = offset_ + buffered_;
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoError("cannot stat metrics file", path_);
  if (static_cast<uint64_t>(st.st_size) < read_pos) {
    Warn("metrics file shrank from " + std::to_string(read_pos) + " to " + std::to_string(st.st_size) +
         " bytes; reading it again from the start");
    offset_ = 0;
    buffered_ = 0;
    long_line_bytes_ = 0;
    lines_ = 0;
    read_pos = 0;
    restarted_ = true;
  }

  for (;;) {
    if (buffer_.size() < buffered_ + kReadChunk) buffer_.resize(buffered_ + kReadChunk);
    ssize_t n = ::pread(fd_, buffer_.data() + buffered_, kReadChunk, static_cast<off_t>(read_pos));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read metrics file", path_);
    if (n == 0) return Status::Ok();
    read_pos += static_cast<uint64_t>(n);

    char* data = buffer_.data();
    const size_t end = buffered_ + static_cast<size_t>(n);
    size_t start = 0;
    size_t search = buffered_;  // the buffered bytes hold no newline
    while (auto* nl = static_cast<char*>(std::memchr(data + search, '\n', end - search))) {
      size_t pos = static_cast<size_t>(nl - data);
      offset_ += pos + 1 - start;
      if (long_line_bytes_ > 0 || pos - start > kMaxLineBytes) {
        SkipLongLine(pos - start);
      } else {
        ParseLine(std::string_view(data + start, pos - start), clock, set);
      }
      start = search = pos + 1;
    }
    buffered_ = end - start;
    if (buffered_ > kMaxLineBytes || (long_line_bytes_ > 0 && buffered_ > 0)) {
      // Too long to be a metrics line: drop what we have, not hold it all.
      long_line_bytes_ += buffered_;
      offset_ += buffered_;
      buffered_ = 0;
    } else if (start > 0) {
      std::memmove(data, data + start, buffered_);  // the unfinished line to the front
    }
  }
}

void MetricsTailer::TakeUnterminatedLine(const LineClock& clock, MetricSet& set) {
  if (long_line_bytes_ > 0) SkipLongLine(0);
  if (buffered_ == 0) return;
  offset_ += buffered_;
  ParseLine(std::string_view(buffer_.data(), buffered_), clock, set);
  buffered_ = 0;
}

void MetricsTailer::SkipLongLine(size_t tail_bytes) {
  ++lines_;
  Warn("line " + std::to_string(lines_) + ": skipped, " + std::to_string(long_line_bytes_ + tail_bytes) +
       " bytes long (over the limit of " + std::to_string(kMaxLineBytes) + " bytes a line)");
  long_line_bytes_ = 0;
}

void MetricsTailer::ParseLine(std::string_view line, const LineClock& clock, MetricSet& set) {
  ++lines_;
  // offset_ is already the end of this line, which is what marks describe.
  double now = clock.marks != nullptr ? TimeForOffset(*clock.marks, offset_, clock.now) : clock.now;
  StatusOr<int> added = parser_.Parse(line, now, set);
  if (!added.ok()) Warn("line " + std::to_string(lines_) + ": " + added.status().message());
}

void MetricsTailer::Warn(std::string message) {
  if (warnings_.size() < kMaxWarnings) {
    warnings_.push_back(std::move(message));
  } else {
    ++dropped_warnings_;
  }
}

Status MetricsTailer::MarkTime(double now) {
  if (time_marks_path_.empty()) return Status::Ok();
  if (!restarted_ && offset_ <= marked_offset_) return Status::Ok();
  if (!time_marks_) {
    TRAIL_ASSIGN_OR_RETURN(time_marks_, TimeMarks::Open(time_marks_path_));
  }
  if (restarted_) {
    // A decrease in offsets tells LoadTimeMarks to forget older marks.
    TRAIL_RETURN_IF_ERROR(time_marks_->Append(0, now));
    restarted_ = false;
    marked_offset_ = 0;
  }
  if (offset_ > marked_offset_) {
    TRAIL_RETURN_IF_ERROR(time_marks_->Append(offset_, now));
    marked_offset_ = offset_;
  }
  return Status::Ok();
}

}  // namespace trail::metrics
