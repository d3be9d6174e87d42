// EventFileReader: follows one TensorBoard event file (events.out.tfevents.*) while its writer
// appends to it, and adds its scalars to a MetricSet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ingest/appended_file.h"
#include "ingest/event_decoder.h"
#include "ingest/file_warnings.h"
#include "metrics/metric_set.h"
#include "trail/status.h"

namespace trail::ingest {

// Poll() reads every complete record appended since the last call and adds each scalar as the
// point (key_prefix + tag, step, wall_time, value). A record the writer is halfway through waits
// for the next Poll. A missing file reads as empty (the writer has not created it yet).
//
// A checksum mismatch, a malformed Event, or the file shrinking adds one warning
// "<path>: offset N: <reason>; stopped reading this file" and stops the reader for good: TFRecord
// has no way to resynchronise, and points read before stay in the set. Errors (the Status) are
// only for the OS refusing to open or read the file.
//
// Memory stays bounded: the file is read in 1 MiB blocks, and a record larger than
// `max_record_bytes` (graphs, big images) is checked and skipped without being held in memory
// (with a warning only when it holds summaries, whose scalars are then lost).
//
// Pass the same MetricSet to every call: the reader caches the set's ids of its keys. Not
// thread-safe.
class EventFileReader {
 public:
  static constexpr size_t kDefaultMaxRecordBytes = size_t{64} << 20;

  EventFileReader(std::string path, std::string key_prefix, size_t max_record_bytes = kDefaultMaxRecordBytes);
  EventFileReader(const EventFileReader&) = delete;
  EventFileReader& operator=(const EventFileReader&) = delete;

  // Returns the number of points added.
  StatusOr<int64_t> Poll(metrics::MetricSet& set, std::vector<std::string>* warnings);
  // Poll, then a warning if the file ends inside a record. Call once the writer has exited.
  StatusOr<int64_t> Finish(metrics::MetricSet& set, std::vector<std::string>* warnings);

  const std::string& path() const { return file_.path(); }
  // True after a corrupt record: later calls read nothing.
  bool stopped() const { return stopped_; }
  // The end of the last record consumed.
  uint64_t offset() const { return offset_; }
  int64_t records() const { return records_; }

 private:
  std::string_view Window() const { return std::string_view(buffer_.data() + begin_, end_ - begin_); }
  void Consume(uint64_t frame_size);
  // Reads more of the file so that the window can hold `needed` bytes. False if nothing new.
  StatusOr<bool> Fill(size_t needed);
  // Checks the CRC of a record too large to hold and steps over it. False when it is not all on
  // disk yet or turned out corrupt (then the reader has stopped).
  StatusOr<bool> SkipLargeRecord(uint64_t length, std::vector<std::string>* warnings);
  // Warns about a skipped large record if it held summaries.
  void NoteSkipped(bool has_summary, uint64_t length, std::vector<std::string>* warnings);
  void Deliver(metrics::MetricSet& set);
  void Stop(std::vector<std::string>* warnings, uint64_t at, const std::string& reason);

  AppendedFile file_;
  std::string key_prefix_;
  size_t max_record_bytes_;
  FileWarnings warnings_;
  EventDecoder decoder_;
  std::vector<ScalarEvent> scalars_;

  // buffer_[begin_, end_) holds the file's bytes from offset_ on.
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t offset_ = 0;
  int64_t records_ = 0;
  bool stopped_ = false;

  struct TransparentHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  const metrics::MetricSet* cached_set_ = nullptr;
  std::unordered_map<std::string, size_t, TransparentHash, std::equal_to<>> tag_ids_;
};

}  // namespace trail::ingest
