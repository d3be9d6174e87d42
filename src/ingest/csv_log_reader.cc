#include "ingest/csv_log_reader.h"

#include <cstring>
#include <string_view>

namespace trail::ingest {
namespace {

constexpr size_t kMaxLine = size_t{1} << 20;
constexpr size_t kReadChunk = size_t{64} << 10;  // CSV logs grow by a row per epoch

}  // namespace

CsvLogReader::CsvLogReader(std::string path, std::string key_prefix)
    : file_(path), parser_(path, std::move(key_prefix)), warnings_(path) {}

StatusOr<int64_t> CsvLogReader::Poll(double now, metrics::MetricSet& set, std::vector<std::string>* warnings) {
  if (stopped_) return int64_t{0};
  TRAIL_ASSIGN_OR_RETURN(uint64_t size, file_.Size());
  if (size < offset_ + held_) {
    warnings_.Add(warnings, "the file shrank to " + std::to_string(size) + " bytes; stopped reading this file");
    stopped_ = true;
    buffer_ = {};
    held_ = 0;
    return int64_t{0};
  }
  int64_t added = 0;
  for (;;) {
    if (buffer_.size() < held_ + kReadChunk) buffer_.resize(held_ + kReadChunk);
    TRAIL_ASSIGN_OR_RETURN(size_t n, file_.ReadAt(offset_ + held_, buffer_.data() + held_, kReadChunk));
    if (n == 0) return added;
    const size_t end = held_ + n;
    size_t start = 0;
    size_t search = held_;  // the held bytes hold no newline
    while (auto* nl = static_cast<char*>(std::memchr(buffer_.data() + search, '\n', end - search))) {
      const size_t pos = static_cast<size_t>(nl - buffer_.data());
      if (discarding_) {
        discarding_ = false;
      } else {
        added += parser_.ParseLine(std::string_view(buffer_.data() + start, pos - start), now, set, warnings);
      }
      offset_ += pos + 1 - start;
      start = search = pos + 1;
    }
    held_ = end - start;
    if (held_ > kMaxLine || (discarding_ && held_ > 0)) {
      if (!discarding_) warnings_.Add(warnings, "a line longer than 1 MiB was skipped");
      discarding_ = true;
      offset_ += end - start;  // dropped bytes count as consumed
      held_ = 0;
    } else if (start > 0) {
      std::memmove(buffer_.data(), buffer_.data() + start, held_);
    }
  }
}

StatusOr<int64_t> CsvLogReader::Finish(double now, metrics::MetricSet& set, std::vector<std::string>* warnings) {
  TRAIL_ASSIGN_OR_RETURN(int64_t added, Poll(now, set, warnings));
  if (stopped_ || held_ == 0) return added;
  if (!discarding_) added += parser_.ParseLine(std::string_view(buffer_.data(), held_), now, set, warnings);
  offset_ += held_;
  held_ = 0;
  discarding_ = false;
  return added;
}

}  // namespace trail::ingest
