#include "ingest/csv_log_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "base/test_temp_dir.h"
#include "ingest/test_event_writer.h"

namespace trail::ingest {
namespace {

using metrics::MetricSet;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testutil::AppendToFile;
using trail::testing::TempDir;

std::vector<double> ReaderValues(const MetricSet& set, std::string_view key) {
  std::vector<double> values;
  if (const auto* s = set.Series(key)) {
    for (const metrics::Point& p : *s) values.push_back(p.value);
  }
  return values;
}

int64_t MustPoll(CsvLogReader& reader, double now, MetricSet& set, std::vector<std::string>* warnings) {
  StatusOr<int64_t> n = reader.Poll(now, set, warnings);
  EXPECT_TRUE(n.ok()) << n.status().message();
  return n.ok() ? *n : -1;
}

TEST(CsvLogReaderTest, HalfWrittenLastLineWaits) {
  TempDir dir;
  const std::string path = dir.File("training.log");
  CsvLogReader reader(path, "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, 1.0, set, &warnings), 0);  // not created yet
  AppendToFile(path, "epoch,loss,val_loss\n0,0.9,0.95\n1,0.");
  EXPECT_EQ(MustPoll(reader, 2.0, set, &warnings), 2);
  EXPECT_THAT(ReaderValues(set, "loss"), ElementsAre(0.9));
  AppendToFile(path, "8,0.85\n");
  EXPECT_EQ(MustPoll(reader, 3.0, set, &warnings), 2);
  EXPECT_THAT(ReaderValues(set, "loss"), ElementsAre(0.9, 0.8));
  EXPECT_EQ((*set.Series("loss"))[1].time, 3.0);
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(CsvLogReaderTest, FinishTakesTheLastLineWithoutNewline) {
  TempDir dir;
  const std::string path = dir.File("log.csv");
  AppendToFile(path, "epoch;loss\n0;1\n1;2");
  CsvLogReader reader(path, "");
  MetricSet set;
  EXPECT_EQ(MustPoll(reader, 1.0, set, nullptr), 1);
  StatusOr<int64_t> n = reader.Finish(2.0, set, nullptr);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_THAT(ReaderValues(set, "loss"), ElementsAre(1, 2));
}

TEST(CsvLogReaderTest, HeaderSplitAcrossPolls) {
  TempDir dir;
  const std::string path = dir.File("log.csv");
  AppendToFile(path, "epo");
  CsvLogReader reader(path, "");
  MetricSet set;
  EXPECT_EQ(MustPoll(reader, 1.0, set, nullptr), 0);
  AppendToFile(path, "ch\tloss\n4\t0.5\n");
  EXPECT_EQ(MustPoll(reader, 1.0, set, nullptr), 1);
  EXPECT_EQ((*set.Series("loss"))[0].step, 4);
}

TEST(CsvLogReaderTest, OverlongLineIsSkipped) {
  TempDir dir;
  const std::string path = dir.File("log.csv");
  AppendToFile(path, "epoch,loss\n0,1\n" + std::string(3 << 20, '9'));
  CsvLogReader reader(path, "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, 1.0, set, &warnings), 1);
  AppendToFile(path, "\n2,3\n");
  EXPECT_EQ(MustPoll(reader, 1.0, set, &warnings), 1);
  EXPECT_THAT(ReaderValues(set, "loss"), ElementsAre(1, 3));
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("a line longer than 1 MiB was skipped")));
}

TEST(CsvLogReaderTest, ShrinkingFileStops) {
  TempDir dir;
  const std::string path = dir.File("log.csv");
  AppendToFile(path, "epoch,loss\n0,1\n");
  CsvLogReader reader(path, "");
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(MustPoll(reader, 1.0, set, &warnings), 1);
  std::filesystem::resize_file(path, 3);
  EXPECT_EQ(MustPoll(reader, 1.0, set, &warnings), 0);
  EXPECT_TRUE(reader.stopped());
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("the file shrank to 3 bytes")));
}

}  // namespace
}  // namespace trail::ingest
