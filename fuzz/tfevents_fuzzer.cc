// Fuzzes the TensorBoard event file readers: TFRecord framing (NextTfRecord), the protobuf wire
// reader and Event decoder (EventDecoder), and the incremental file reader (EventFileReader).
//
// Checks, beyond "never crashes":
//   - Every frame NextTfRecord returns lies inside the buffer and has the size its header
//     declares; an incomplete frame asks for more than the buffer holds.
//   - Every decoded tag is non-empty and lies inside its record.
//   - EventFileReader, reading the input as a file in one Poll, adds exactly the points of a
//     model that walks the frames in memory and decodes them until the first bad one -- and so
//     does a reader that sees the file written in two parts (cut where the input's first byte
//     says) with a Poll in between: where a writer's flushes fall never changes what is read.
//   - A corrupt or malformed record leaves exactly one warning, naming the file.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/check.h"
#include "fuzz/scratch_file.h"
#include "ingest/event_decoder.h"
#include "ingest/event_file_reader.h"
#include "ingest/tfrecord.h"
#include "metrics/metric_set.h"

namespace trail::fuzz {
namespace {

constexpr std::string_view kPrefix = "process/";

// The model: frames walked in memory, decoded until the first bad one. Returns whether it
// stopped on a bad record (which the reader must report).
bool Model(std::string_view file, metrics::MetricSet& set) {
  ingest::EventDecoder decoder;
  std::vector<ingest::ScalarEvent> scalars;
  std::string_view rest = file;
  for (;;) {
    ingest::TfRecordFrame frame = ingest::NextTfRecord(rest);
    switch (frame.kind) {
      case ingest::TfRecordFrame::Kind::kIncomplete:
        FUZZ_CHECK(frame.frame_size > rest.size(), "an incomplete frame fits in the buffer");
        return false;
      case ingest::TfRecordFrame::Kind::kCorrupt:
        FUZZ_CHECK(!frame.error.empty(), "a corrupt frame without a reason");
        return true;
      case ingest::TfRecordFrame::Kind::kRecord:
        break;
    }
    FUZZ_CHECK(frame.frame_size == ingest::kTfRecordHeaderSize + frame.data.size() + ingest::kTfRecordFooterSize &&
                   frame.data.size() == frame.length && frame.frame_size <= rest.size() &&
                   frame.data.data() == rest.data() + ingest::kTfRecordHeaderSize,
               "a frame's bounds disagree with its header");
    Status decoded = decoder.Decode(frame.data, scalars);
    if (!decoded.ok()) {
      FUZZ_CHECK(decoded.code() == Code::kCorrupt, "a decode error that is not kCorrupt: " + decoded.message());
      return true;
    }
    for (const ingest::ScalarEvent& e : scalars) {
      FUZZ_CHECK(!e.tag.empty() && e.tag.data() >= frame.data.data() &&
                     e.tag.data() + e.tag.size() <= frame.data.data() + frame.data.size(),
                 "a tag points outside its record");
      set.Add(std::string(kPrefix) + std::string(e.tag), e.step, e.wall_time, e.value);
    }
    rest.remove_prefix(frame.frame_size);
  }
}

void CheckSameSets(const metrics::MetricSet& want, const metrics::MetricSet& got, const char* what) {
  FUZZ_CHECK(want.Keys() == got.Keys(), std::string(what) + ": keys differ from the model's");
  for (const std::string& key : want.Keys()) {
    const auto& a = *want.Series(key);
    const auto& b = *got.Series(key);
    FUZZ_CHECK(a.size() == b.size(), std::string(what) + ": series '" + Escaped(key) + "' has another length");
    for (size_t i = 0; i < a.size(); ++i) {
      FUZZ_CHECK(a[i].step == b[i].step && SameDouble(a[i].time, b[i].time) && SameDouble(a[i].value, b[i].value),
                 std::string(what) + ": point " + std::to_string(i) + " of '" + Escaped(key) + "' differs");
    }
  }
}

void CheckWarnings(const std::vector<std::string>& warnings, bool model_stopped, const char* what) {
  FUZZ_CHECK(warnings.size() == (model_stopped ? 1u : 0u),
             std::string(what) + ": " + std::to_string(warnings.size()) + " warnings");
  for (const std::string& w : warnings) {
    FUZZ_CHECK(w.rfind(ScratchPath() + ": offset ", 0) == 0, std::string(what) + ": warning without the file: " + w);
    FUZZ_CHECK(w.find('\n') == std::string::npos, std::string(what) + ": a warning of several lines");
  }
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  metrics::MetricSet model;
  const bool stopped = fuzz::Model(input, model);

  // One Poll over the whole file.
  fuzz::WriteScratch(input, /*append=*/false);
  {
    ingest::EventFileReader reader(fuzz::ScratchPath(), std::string(fuzz::kPrefix));
    metrics::MetricSet set;
    std::vector<std::string> warnings;
    StatusOr<int64_t> n = reader.Poll(set, &warnings);
    FUZZ_CHECK(n.ok(), "reading a plain file failed: " + n.status().message());
    FUZZ_CHECK(*n == set.TotalPoints(), "Poll's count is not the points added");
    fuzz::CheckSameSets(model, set, "one poll");
    fuzz::CheckWarnings(warnings, stopped, "one poll");
    FUZZ_CHECK(reader.stopped() == stopped, "the reader and the model stop at different places");
  }

  // The same bytes written in two parts, with a Poll after each.
  const size_t cut = size == 0 ? 0 : static_cast<size_t>(data[0]) * size / 256;
  fuzz::WriteScratch(input.substr(0, cut), /*append=*/false);
  ingest::EventFileReader reader(fuzz::ScratchPath(), std::string(fuzz::kPrefix));
  metrics::MetricSet set;
  std::vector<std::string> warnings;
  StatusOr<int64_t> first = reader.Poll(set, &warnings);
  fuzz::WriteScratch(input.substr(cut), /*append=*/true);
  StatusOr<int64_t> second = reader.Poll(set, &warnings);
  FUZZ_CHECK(first.ok() && second.ok(), "reading a plain file failed");
  FUZZ_CHECK(*first + *second == set.TotalPoints(), "Poll's counts are not the points added");
  fuzz::CheckSameSets(model, set, "two polls");
  fuzz::CheckWarnings(warnings, stopped, "two polls");
  return 0;
}
