#include "ingest/event_file_reader.h"

#include <algorithm>
#include <cstring>

#include "base/crc32c.h"
#include "ingest/tfrecord.h"

namespace trail::ingest {
namespace {

constexpr size_t kBlockSize = size_t{1} << 20;

}  // namespace

EventFileReader::EventFileReader(std::string path, std::string key_prefix, size_t max_record_bytes)
    : file_(path), key_prefix_(std::move(key_prefix)), max_record_bytes_(max_record_bytes), warnings_(path) {}

void EventFileReader::Stop(std::vector<std::string>* warnings, uint64_t at, const std::string& reason) {
  warnings_.Add(warnings, "offset " + std::to_string(at) + ": " + reason + "; stopped reading this file");
  stopped_ = true;
  buffer_ = {};
  begin_ = end_ = 0;
}

void EventFileReader::Consume(uint64_t frame_size) {
  begin_ += static_cast<size_t>(frame_size);
  offset_ += frame_size;
  ++records_;
}

StatusOr<bool> EventFileReader::Fill(size_t needed) {
  const size_t held = end_ - begin_;
  const size_t capacity = std::max(kBlockSize, needed);
  if (buffer_.size() < capacity || buffer_.size() > 4 * capacity) {
    // Grow for a large record; give the memory back once records are small again.
    std::vector<char> fresh(capacity);
    if (held > 0) std::memcpy(fresh.data(), buffer_.data() + begin_, held);
    buffer_.swap(fresh);
  } else if (begin_ > 0 && held > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, held);
  }
  begin_ = 0;
  end_ = held;
  TRAIL_ASSIGN_OR_RETURN(size_t n, file_.ReadAt(offset_ + held, buffer_.data() + end_, buffer_.size() - end_));
  end_ += n;
  return n > 0;
}

StatusOr<bool> EventFileReader::SkipLargeRecord(uint64_t length, std::vector<std::string>* warnings) {
  // The buffer becomes scratch space: the window (this record's first bytes) is dropped and, if
  // the record is not skipped now, read again from offset_ next time.
  begin_ = end_ = 0;
  if (buffer_.size() < kBlockSize) buffer_.resize(kBlockSize);
  const uint64_t data_start = offset_ + kTfRecordHeaderSize;
  uint32_t crc = 0;
  bool has_summary = false;
  for (uint64_t done = 0; done < length;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer_.size(), length - done));
    TRAIL_ASSIGN_OR_RETURN(size_t n, file_.ReadAt(data_start + done, buffer_.data(), want));
    if (n == 0) return false;
    if (done == 0) has_summary = EventPrefixHasSummary(std::string_view(buffer_.data(), std::min<size_t>(n, 64)));
    crc = Crc32cExtend(crc, buffer_.data(), n);
    done += n;
  }
  unsigned char footer[kTfRecordFooterSize];
  TRAIL_ASSIGN_OR_RETURN(size_t n, file_.ReadAt(data_start + length, reinterpret_cast<char*>(footer), 4));
  if (n < 4) return false;
  const uint32_t stored =
      uint32_t{footer[0]} | (uint32_t{footer[1]} << 8) | (uint32_t{footer[2]} << 16) | (uint32_t{footer[3]} << 24);
  if (MaskCrc(crc) != stored) {
    Stop(warnings, offset_, "record data CRC mismatch");
    return false;
  }
  NoteSkipped(has_summary, length, warnings);
  offset_ += kTfRecordHeaderSize + length + kTfRecordFooterSize;
  ++records_;
  return true;
}

void EventFileReader::NoteSkipped(bool has_summary, uint64_t length, std::vector<std::string>* warnings) {
  if (!has_summary) return;  // a graph or run metadata: never scalars
  warnings_.Add(warnings, "offset " + std::to_string(offset_) + ": a summary record of " + std::to_string(length) +
                              " bytes is larger than the " + std::to_string(max_record_bytes_) +
                              " bytes read at once; its scalars were skipped");
}

void EventFileReader::Deliver(metrics::MetricSet& set) {
  for (const ScalarEvent& e : scalars_) {
    auto it = tag_ids_.find(e.tag);
    if (it == tag_ids_.end()) {
      std::string key = key_prefix_;
      key.append(e.tag);
      it = tag_ids_.emplace(std::string(e.tag), set.Intern(key)).first;
    }
    set.AddById(it->second, e.step, e.wall_time, e.value);
  }
}

StatusOr<int64_t> EventFileReader::Poll(metrics::MetricSet& set, std::vector<std::string>* warnings) {
  if (stopped_) return int64_t{0};
  if (&set != cached_set_) {
    tag_ids_.clear();
    cached_set_ = &set;
  }
  TRAIL_ASSIGN_OR_RETURN(uint64_t size, file_.Size());
  if (size < offset_ + (end_ - begin_)) {
    Stop(warnings, offset_, "the file shrank to " + std::to_string(size) + " bytes");
    return int64_t{0};
  }
  int64_t added = 0;
  for (;;) {
    TfRecordFrame frame = NextTfRecord(Window());
    switch (frame.kind) {
      case TfRecordFrame::Kind::kRecord: {
        if (frame.length > max_record_bytes_) {
          // Whole in the window by chance; skipped all the same, so the outcome does not depend
          // on where the read blocks fall.
          NoteSkipped(EventPrefixHasSummary(frame.data.substr(0, 64)), frame.length, warnings);
          Consume(frame.frame_size);
          continue;
        }
        Status decoded = decoder_.Decode(frame.data, scalars_);
        if (!decoded.ok()) {
          Stop(warnings, offset_, decoded.message());
          return added;
        }
        Deliver(set);
        added += static_cast<int64_t>(scalars_.size());
        Consume(frame.frame_size);
        continue;
      }
      case TfRecordFrame::Kind::kCorrupt:
        Stop(warnings, offset_, frame.error);
        return added;
      case TfRecordFrame::Kind::kIncomplete:
        break;
    }
    if (frame.length > max_record_bytes_) {
      if (size < offset_ + frame.frame_size) return added;  // not all written yet
      TRAIL_ASSIGN_OR_RETURN(bool skipped, SkipLargeRecord(frame.length, warnings));
      if (!skipped) return added;
      continue;
    }
    TRAIL_ASSIGN_OR_RETURN(bool more, Fill(static_cast<size_t>(frame.frame_size)));
    if (!more) return added;
  }
}

StatusOr<int64_t> EventFileReader::Finish(metrics::MetricSet& set, std::vector<std::string>* warnings) {
  TRAIL_ASSIGN_OR_RETURN(int64_t added, Poll(set, warnings));
  if (stopped_) return added;
  TRAIL_ASSIGN_OR_RETURN(uint64_t size, file_.Size());
  if (size > offset_) {
    warnings_.Add(warnings, "offset " + std::to_string(offset_) + ": the file ends inside a record (" +
                                std::to_string(size - offset_) + " bytes); they were not read");
  }
  return added;
}

}  // namespace trail::ingest
