#include "ingest/tfrecord.h"

#include <gtest/gtest.h>

#include "ingest/test_event_writer.h"

namespace trail::ingest {
namespace {

using Kind = TfRecordFrame::Kind;
using testutil::Frame;

TEST(TfRecordTest, ReadsConsecutiveRecords) {
  const std::string file = Frame("first") + Frame("") + Frame("third record");
  std::string_view rest = file;
  std::vector<std::string> got;
  for (;;) {
    TfRecordFrame frame = NextTfRecord(rest);
    if (frame.kind != Kind::kRecord) {
      EXPECT_EQ(frame.kind, Kind::kIncomplete);
      EXPECT_EQ(frame.frame_size, kTfRecordHeaderSize);
      break;
    }
    got.emplace_back(frame.data);
    EXPECT_EQ(frame.frame_size, 16 + frame.data.size());
    rest.remove_prefix(frame.frame_size);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"first", "", "third record"}));
}

TEST(TfRecordTest, EveryProperPrefixIsIncomplete) {
  const std::string record = Frame("0123456789");
  for (size_t n = 0; n < record.size(); ++n) {
    TfRecordFrame frame = NextTfRecord(std::string_view(record).substr(0, n));
    ASSERT_EQ(frame.kind, Kind::kIncomplete) << n;
    EXPECT_EQ(frame.frame_size, n < 12 ? 12u : record.size()) << n;
  }
}

TEST(TfRecordTest, LengthChecksumMismatch) {
  std::string record = Frame("payload");
  record[9] ^= 1;
  TfRecordFrame frame = NextTfRecord(record);
  EXPECT_EQ(frame.kind, Kind::kCorrupt);
  EXPECT_EQ(frame.error, "record length CRC mismatch");
  // A corrupt header is reported before the rest of the record arrives.
  EXPECT_EQ(NextTfRecord(std::string_view(record).substr(0, 12)).kind, Kind::kCorrupt);
}

TEST(TfRecordTest, DataChecksumMismatch) {
  std::string record = Frame("payload");
  record[14] ^= 0x20;
  TfRecordFrame frame = NextTfRecord(record);
  EXPECT_EQ(frame.kind, Kind::kCorrupt);
  EXPECT_EQ(frame.error, "record data CRC mismatch");
}

TEST(TfRecordTest, ImpossibleLengthIsCorrupt) {
  const std::string length = testutil::LittleEndian(~uint64_t{0}, 8);
  const std::string header =
      length + testutil::LittleEndian(testutil::ReferenceMask(testutil::ReferenceCrc32c(length)), 4);
  TfRecordFrame frame = NextTfRecord(header);
  EXPECT_EQ(frame.kind, Kind::kCorrupt);
}

TEST(TfRecordTest, WriterHelpersMatchTheReferenceFraming) {
  const std::string data = "some event bytes";
  EXPECT_EQ(TfRecordHeader(data.size()) + data + TfRecordFooter(data), Frame(data));
}

}  // namespace
}  // namespace trail::ingest
