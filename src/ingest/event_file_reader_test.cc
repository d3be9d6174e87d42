#include "ingest/event_file_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <filesystem>

#include "base/test_temp_dir.h"
#include "ingest/test_event_writer.h"

namespace trail::ingest {
namespace {

using namespace testutil;
using metrics::MetricSet;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using trail::testing::TempDir;

std::vector<double> Values(const MetricSet& set, std::string_view key) {
  std::vector<double> values;
  if (const auto* s = set.Series(key)) {
    for (const metrics::Point& p : *s) values.push_back(p.value);
  }
  return values;
}

std::vector<int64_t> Steps(const MetricSet& set, std::string_view key) {
  std::vector<int64_t> steps;
  if (const auto* s = set.Series(key)) {
    for (const metrics::Point& p : *s) steps.push_back(p.step);
  }
  return steps;
}

int64_t MustPoll(EventFileReader& reader, MetricSet& set, std::vector<std::string>* warnings) {
  StatusOr<int64_t> n = reader.Poll(set, warnings);
  EXPECT_TRUE(n.ok()) << n.status().message();
  return n.ok() ? *n : -1;
}

std::string FloatTensorValue(std::string_view tag, float v) {
  return TensorValue(tag, TensorHead(kDtFloat, {}) + TensorContent(LittleEndian(std::bit_cast<uint32_t>(v), 4)));
}

// A small file as a TF2 writer lays it out: file_version, then one scalar per event.
std::string SampleFile() {
  return Frame(FileVersionEvent(100.0)) + Frame(SummaryEvent(101.0, 0, {FloatTensorValue("epoch_loss", 0.5f)})) +
         Frame(SummaryEvent(102.0, 1, {FloatTensorValue("epoch_loss", 0.25f)})) +
         Frame(SummaryEvent(103.0, 1, {SimpleValue("lr", 0.125f)}));
}

TEST(EventFileReaderTest, ReadsScalarsWithPrefix) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.1.host");
  AppendToFile(path, SampleFile());
  EventFileReader reader(path, "train/");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, set, &warnings), 3);
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_THAT(set.Keys(), ElementsAre("train/epoch_loss", "train/lr"));
  EXPECT_THAT(Values(set, "train/epoch_loss"), ElementsAre(0.5, 0.25));
  EXPECT_THAT(Steps(set, "train/epoch_loss"), ElementsAre(0, 1));
  EXPECT_EQ((*set.Series("train/lr"))[0].time, 103.0);
  EXPECT_EQ(reader.records(), 4);
  EXPECT_EQ(reader.offset(), SampleFile().size());
  EXPECT_EQ(MustPoll(reader, set, &warnings), 0);
}

TEST(EventFileReaderTest, MissingFileIsEmptyUntilCreated) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.later");
  EventFileReader reader(path, "");
  MetricSet set;
  EXPECT_EQ(MustPoll(reader, set, nullptr), 0);
  AppendToFile(path, Frame(SummaryEvent(1, 1, {SimpleValue("a", 1)})));
  EXPECT_EQ(MustPoll(reader, set, nullptr), 1);
}

TEST(EventFileReaderTest, FileGrownInTwoHalvesAtEveryByte) {
  const std::string file = SampleFile();
  TempDir dir;
  for (size_t cut = 0; cut <= file.size(); ++cut) {
    const std::string path = dir.File("events." + std::to_string(cut) + ".tfevents");
    AppendToFile(path, file.substr(0, cut));
    EventFileReader reader(path, "");
    MetricSet set;
    std::vector<std::string> warnings;
    const int64_t first = MustPoll(reader, set, &warnings);
    AppendToFile(path, file.substr(cut));
    const int64_t second = MustPoll(reader, set, &warnings);
    ASSERT_EQ(first + second, 3) << "cut at " << cut;
    ASSERT_THAT(Values(set, "epoch_loss"), ElementsAre(0.5, 0.25)) << "cut at " << cut;
    ASSERT_THAT(warnings, IsEmpty()) << "cut at " << cut;
  }
}

TEST(EventFileReaderTest, PartialRecordThenCompleted) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.x");
  const std::string record = Frame(SummaryEvent(5, 3, {SimpleValue("acc", 0.75f)}));
  AppendToFile(path, Frame(FileVersionEvent(1)) + record.substr(0, 20));
  EventFileReader reader(path, "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, set, &warnings), 0);
  EXPECT_EQ(reader.offset(), Frame(FileVersionEvent(1)).size());
  AppendToFile(path, record.substr(20));
  EXPECT_EQ(MustPoll(reader, set, &warnings), 1);
  EXPECT_THAT(Values(set, "acc"), ElementsAre(0.75));
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(EventFileReaderTest, TruncatedLengthWaitsAndFinishWarns) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.x");
  AppendToFile(path, Frame(SummaryEvent(1, 1, {SimpleValue("a", 1)})) + std::string("\x20\x00\x00", 3));
  EventFileReader reader(path, "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, set, &warnings), 1);
  EXPECT_THAT(warnings, IsEmpty());
  StatusOr<int64_t> n = reader.Finish(set, &warnings);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0], HasSubstr(path + ": offset "));
  EXPECT_THAT(warnings[0], HasSubstr("ends inside a record (3 bytes)"));
}

TEST(EventFileReaderTest, CorruptDataCrcKeepsEarlierPointsAndStops) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.x");
  const std::string good = Frame(SummaryEvent(1, 1, {SimpleValue("a", 1)}));
  std::string bad = Frame(SummaryEvent(2, 2, {SimpleValue("a", 2)}));
  bad[bad.size() - 6] ^= 0x01;  // a byte of the data
  AppendToFile(path, good + bad + good);
  EventFileReader reader(path, "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, set, &warnings), 1);
  EXPECT_THAT(Values(set, "a"), ElementsAre(1));
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_EQ(warnings[0],
            path + ": offset " + std::to_string(good.size()) + ": record data CRC mismatch; stopped reading this file");
  EXPECT_TRUE(reader.stopped());
  AppendToFile(path, good);
  EXPECT_EQ(MustPoll(reader, set, &warnings), 0);
  EXPECT_THAT(warnings, SizeIs(1));
}

TEST(EventFileReaderTest, CorruptLengthCrcStops) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.x");
  std::string bad = Frame(SummaryEvent(2, 2, {SimpleValue("a", 2)}));
  bad[0] ^= 0x40;
  AppendToFile(path, Frame(FileVersionEvent(1)) + bad);
  EventFileReader reader(path, "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, set, &warnings), 0);
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0], HasSubstr("record length CRC mismatch"));
}

TEST(EventFileReaderTest, MalformedEventStops) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.x");
  AppendToFile(path, Frame(SummaryEvent(1, 1, {SimpleValue("a", 1)})) + Frame(Key(1, 1) + "123") +
                         Frame(SummaryEvent(1, 2, {SimpleValue("a", 2)})));
  EventFileReader reader(path, "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, set, &warnings), 1);
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0], HasSubstr("malformed Event (Event): truncated fixed-width field; stopped reading"));
}

TEST(EventFileReaderTest, ShrinkingFileStops) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.x");
  AppendToFile(path, SampleFile());
  EventFileReader reader(path, "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, set, &warnings), 3);
  std::filesystem::resize_file(path, 10);
  EXPECT_EQ(MustPoll(reader, set, &warnings), 0);
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0], HasSubstr("the file shrank to 10 bytes; stopped reading this file"));
  EXPECT_THAT(Values(set, "epoch_loss"), SizeIs(2));
}

TEST(EventFileReaderTest, LargeRecordsAreSkippedWithoutBeingHeld) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.x");
  const std::string graph = DoubleField(1, 1) + BytesField(4, std::string(5000, 'g'));  // graph_def
  std::vector<std::string> many;
  for (int i = 0; i < 300; ++i) many.push_back(SimpleValue("big" + std::to_string(i), 1.0f));
  const std::string big_summary = SummaryEvent(1, 1, many);
  ASSERT_GT(big_summary.size(), 2000u);
  AppendToFile(path, Frame(graph) + Frame(SummaryEvent(1, 1, {SimpleValue("a", 1)})) + Frame(big_summary) +
                         Frame(SummaryEvent(1, 2, {SimpleValue("a", 2)})));
  EventFileReader reader(path, "", /*max_record_bytes=*/1000);
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, set, &warnings), 2);
  EXPECT_THAT(Values(set, "a"), ElementsAre(1, 2));
  ASSERT_THAT(warnings, SizeIs(1));  // the graph is skipped silently, the summary is not
  EXPECT_THAT(warnings[0], HasSubstr("a summary record of " + std::to_string(big_summary.size()) + " bytes"));
  EXPECT_FALSE(reader.stopped());
}

TEST(EventFileReaderTest, LargeRecordWaitsUntilWhollyWritten) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.x");
  const std::string graph = Frame(DoubleField(1, 1) + BytesField(4, std::string(5000, 'g')));
  AppendToFile(path, graph.substr(0, 3000));
  EventFileReader reader(path, "", /*max_record_bytes=*/1000);
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, set, &warnings), 0);
  AppendToFile(path, graph.substr(3000) + Frame(SummaryEvent(1, 1, {SimpleValue("a", 1)})));
  EXPECT_EQ(MustPoll(reader, set, &warnings), 1);
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(EventFileReaderTest, CorruptLargeRecordStops) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.x");
  std::string graph = Frame(DoubleField(1, 1) + BytesField(4, std::string(5000, 'g')));
  graph[2500] = 'h';
  AppendToFile(path, graph + Frame(SummaryEvent(1, 1, {SimpleValue("a", 1)})));
  EventFileReader reader(path, "", /*max_record_bytes=*/1000);
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, set, &warnings), 0);
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0], HasSubstr("offset 0: record data CRC mismatch"));
}

TEST(EventFileReaderTest, ManyRecordsAcrossReadBlocks) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.x");
  std::string file;
  constexpr int kRecords = 60000;  // ~3 MiB: several 1 MiB blocks, records cut at block ends
  for (int i = 0; i < kRecords; ++i) file += Frame(SummaryEvent(i, i, {SimpleValue(i % 2 ? "odd" : "even", i)}));
  AppendToFile(path, file);
  EventFileReader reader(path, "");
  MetricSet set;
  EXPECT_EQ(MustPoll(reader, set, nullptr), kRecords);
  const auto* odd = set.Series("odd");
  ASSERT_NE(odd, nullptr);
  ASSERT_EQ(odd->size(), static_cast<size_t>(kRecords / 2));
  for (size_t i = 0; i < odd->size(); ++i) ASSERT_EQ((*odd)[i].step, static_cast<int64_t>(2 * i + 1));
}

TEST(EventFileReaderTest, UnreadableFileIsAnError) {
  TempDir dir;
  const std::string path = dir.File("events.out.tfevents.dir");
  std::filesystem::create_directory(path);  // read() on a directory fails with EISDIR
  EventFileReader reader(path, "");
  MetricSet set;
  StatusOr<int64_t> n = reader.Poll(set, nullptr);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Code::kIo);
  EXPECT_THAT(n.status().message(), HasSubstr(path));
}

}  // namespace
}  // namespace trail::ingest
