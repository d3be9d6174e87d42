#include "metrics/tailer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/test_temp_dir.h"

namespace trail::metrics {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

void Append(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
}

std::vector<double> TailedValues(const MetricSet& set, std::string_view key) {
  std::vector<double> values;
  if (const auto* s = set.Series(key)) {
    for (const Point& p : *s) values.push_back(p.value);
  }
  return values;
}

std::vector<double> Times(const MetricSet& set, std::string_view key) {
  std::vector<double> times;
  if (const auto* s = set.Series(key)) {
    for (const Point& p : *s) times.push_back(p.time);
  }
  return times;
}

TEST(MetricsTailerTest, MissingFileIsNotAnError) {
  trail::testing::TempDir dir;
  MetricsTailer tailer(dir.File("metrics.jsonl"));
  MetricSet set;
  ASSERT_TRUE(tailer.Poll(1, set).ok());
  ASSERT_TRUE(tailer.Finish(2, set).ok());
  EXPECT_EQ(tailer.lines(), 0);
  EXPECT_EQ(tailer.offset(), 0u);
  EXPECT_EQ(set.TotalPoints(), 0);
}

// Issue 13: a 1 GB line without a newline grew trail to 2.6 GB.
TEST(MetricsTailerTest, LineOverTheLimitIsSkippedWithOneWarning) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  MetricsTailer tailer(path);
  MetricSet set;
  const std::string piece(MetricsTailer::kMaxLineBytes / 2 + 7, 'x');
  Append(path, "{\"step\": 0, \"loss\": 1}\n");
  for (int i = 0; i < 5; ++i) {  // arrives over several polls, as from a running child
    Append(path, piece);
    ASSERT_TRUE(tailer.Poll(1, set).ok());
  }
  Append(path, "\n{\"step\": 1, \"loss\": 2}\n" + piece);
  ASSERT_TRUE(tailer.Poll(2, set).ok());
  EXPECT_THAT(TailedValues(set, "loss"), ElementsAre(1, 2));
  ASSERT_EQ(tailer.warnings().size(), 1u);
  EXPECT_EQ(tailer.warnings()[0], "line 2: skipped, " + std::to_string(5 * piece.size()) +
                                      " bytes long (over the limit of " + std::to_string(MetricsTailer::kMaxLineBytes) +
                                      " bytes a line)");
  // A final unterminated line under the limit is still read whole.
  ASSERT_TRUE(tailer.Finish(3, set).ok());
  EXPECT_EQ(tailer.lines(), 4);
  EXPECT_EQ(tailer.warnings().size(), 2u);  // the unfinished piece is not a metrics line
  EXPECT_EQ(tailer.offset(), std::filesystem::file_size(path));
}

TEST(MetricsTailerTest, UnterminatedLineOverTheLimitIsSkippedAtFinish) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  MetricsTailer tailer(path);
  MetricSet set;
  Append(path, "{\"step\": 0, \"loss\": 1}\n" + std::string(3 * MetricsTailer::kMaxLineBytes, 'y'));
  ASSERT_TRUE(tailer.Finish(1, set).ok());
  EXPECT_THAT(TailedValues(set, "loss"), ElementsAre(1));
  ASSERT_EQ(tailer.warnings().size(), 1u);
  EXPECT_THAT(tailer.warnings()[0], StartsWith("line 2: skipped, " + std::to_string(3 * MetricsTailer::kMaxLineBytes)));
  EXPECT_EQ(tailer.offset(), std::filesystem::file_size(path));
}

TEST(MetricsTailerTest, FileAppearingLaterIsPickedUp) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  MetricsTailer tailer(path);
  MetricSet set;
  ASSERT_TRUE(tailer.Poll(1, set).ok());
  Append(path, "{\"step\": 1, \"loss\": 0.5}\n");
  ASSERT_TRUE(tailer.Poll(2, set).ok());
  EXPECT_THAT(TailedValues(set, "loss"), ElementsAre(0.5));
}

TEST(MetricsTailerTest, PartialLinesWaitForTheirNewline) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  MetricsTailer tailer(path);
  MetricSet set;

  const std::string first = "{\"step\": 1, \"loss\": 0.5}\n";
  Append(path, "{\"step\": 1, \"lo");
  ASSERT_TRUE(tailer.Poll(10, set).ok());
  EXPECT_EQ(set.TotalPoints(), 0);
  EXPECT_EQ(tailer.lines(), 0);
  EXPECT_EQ(tailer.offset(), 0u);

  Append(path, "ss\": 0.5}\n{\"step\": 2");
  ASSERT_TRUE(tailer.Poll(20, set).ok());
  EXPECT_THAT(TailedValues(set, "loss"), ElementsAre(0.5));
  EXPECT_EQ(tailer.lines(), 1);
  EXPECT_EQ(tailer.offset(), first.size());

  ASSERT_TRUE(tailer.Poll(25, set).ok());  // nothing new
  EXPECT_EQ(set.TotalPoints(), 1);

  Append(path, ", \"loss\": 0.25}");
  ASSERT_TRUE(tailer.Poll(30, set).ok());
  EXPECT_EQ(set.TotalPoints(), 1);
  Append(path, "\n");
  ASSERT_TRUE(tailer.Poll(40, set).ok());
  EXPECT_THAT(TailedValues(set, "loss"), ElementsAre(0.5, 0.25));
  // Each line is stamped when its newline arrived.
  EXPECT_THAT(Times(set, "loss"), ElementsAre(20, 40));
  EXPECT_EQ(tailer.lines(), 2);
  EXPECT_EQ(tailer.offset(), std::filesystem::file_size(path));
  EXPECT_TRUE(tailer.warnings().empty());
}

TEST(MetricsTailerTest, FinishTakesTheUnterminatedLastLine) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  MetricsTailer tailer(path);
  MetricSet set;
  Append(path, "{\"step\": 1, \"acc\": 0.5}\n{\"step\": 2, \"acc\": 0.75}");
  ASSERT_TRUE(tailer.Poll(1, set).ok());
  EXPECT_THAT(TailedValues(set, "acc"), ElementsAre(0.5));
  ASSERT_TRUE(tailer.Finish(2, set).ok());
  EXPECT_THAT(TailedValues(set, "acc"), ElementsAre(0.5, 0.75));
  EXPECT_THAT(Times(set, "acc"), ElementsAre(1, 2));
  EXPECT_EQ(tailer.lines(), 2);
  EXPECT_EQ(tailer.offset(), std::filesystem::file_size(path));
  ASSERT_TRUE(tailer.Finish(3, set).ok());  // idempotent
  EXPECT_EQ(set.TotalPoints(), 2);
}

TEST(MetricsTailerTest, MalformedLinesBecomeWarnings) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  MetricsTailer tailer(path);
  MetricSet set;
  Append(path,
         "{\"step\": 1, \"x\": 1}\n"
         "{\"step\": 1.5, \"x\": 2}\n"
         "\n"
         "   \r\n"
         "oops\n"
         "{\"step\": 3, \"x\": 3}\n"
         "{\"step\": 4, \"x\": ");
  ASSERT_TRUE(tailer.Poll(1, set).ok());
  ASSERT_TRUE(tailer.Finish(2, set).ok());
  EXPECT_THAT(TailedValues(set, "x"), ElementsAre(1, 3));
  EXPECT_EQ(tailer.lines(), 7);
  ASSERT_EQ(tailer.warnings().size(), 3u);
  EXPECT_EQ(tailer.warnings()[0], "line 2: step is not an integer");
  EXPECT_THAT(tailer.warnings()[1], StartsWith("line 5: invalid JSON"));
  EXPECT_THAT(tailer.warnings()[2], StartsWith("line 7: invalid JSON"));
  EXPECT_EQ(tailer.dropped_warnings(), 0);
}

TEST(MetricsTailerTest, WarningsAreCapped) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  std::string text;
  for (int i = 0; i < 250; ++i) text += "not json\n";
  text += "{\"ok\": 1}\n";
  Append(path, text);
  MetricsTailer tailer(path);
  MetricSet set;
  ASSERT_TRUE(tailer.Poll(1, set).ok());
  ASSERT_EQ(tailer.warnings().size(), 100u);
  EXPECT_THAT(tailer.warnings().front(), StartsWith("line 1: "));
  EXPECT_THAT(tailer.warnings().back(), StartsWith("line 100: "));
  EXPECT_EQ(tailer.dropped_warnings(), 150);
  EXPECT_EQ(tailer.lines(), 251);
  EXPECT_THAT(TailedValues(set, "ok"), ElementsAre(1));
}

TEST(MetricsTailerTest, LinesSpanningReadChunks) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  // Over 3 MiB so reads are split, and one line longer than a read chunk.
  std::string text;
  constexpr int kLines = 100000;
  for (int i = 0; i < kLines; ++i) {
    text += "{\"step\": " + std::to_string(i) + ", \"loss\": " + std::to_string(i) + ".5}\n";
  }
  std::string wide = "{\"step\": -1, \"pad\": \"" + std::string(3 << 20, 'x') + "\", \"w\": 7}\n";
  Append(path, text.substr(0, text.size() / 2));
  MetricsTailer tailer(path);
  MetricSet set;
  ASSERT_TRUE(tailer.Poll(1, set).ok());
  Append(path, text.substr(text.size() / 2) + wide);
  ASSERT_TRUE(tailer.Poll(2, set).ok());
  const auto* loss = set.Series("loss");
  ASSERT_NE(loss, nullptr);
  ASSERT_EQ(loss->size(), static_cast<size_t>(kLines));
  for (int i = 0; i < kLines; ++i) {
    ASSERT_EQ((*loss)[i].step, i);
    ASSERT_EQ((*loss)[i].value, i + 0.5);
  }
  EXPECT_THAT(TailedValues(set, "w"), ElementsAre(7));
  EXPECT_EQ(tailer.lines(), kLines + 1);
  EXPECT_EQ(tailer.offset(), text.size() + wide.size());
  EXPECT_TRUE(tailer.warnings().empty());
}

TEST(MetricsTailerTest, ShrunkFileIsReadAgainWithAWarning) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  Append(path, "{\"step\": 1, \"x\": 1}\n{\"step\": 2, \"x\": 2}\n");
  MetricsTailer tailer(path);
  MetricSet set;
  ASSERT_TRUE(tailer.Poll(1, set).ok());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "{\"step\": 9, \"x\": 9}\n";
  ASSERT_TRUE(tailer.Poll(2, set).ok());
  EXPECT_THAT(TailedValues(set, "x"), ElementsAre(1, 2, 9));
  ASSERT_EQ(tailer.warnings().size(), 1u);
  EXPECT_THAT(tailer.warnings()[0], StartsWith("metrics file shrank from 40 to 20 bytes"));
  EXPECT_EQ(tailer.lines(), 1);
  EXPECT_EQ(tailer.offset(), 20u);
}

TEST(MetricsTailerTest, TimeMarksLetAReplayRecoverLineTimes) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  std::string marks_path = dir.File("metrics.marks");
  const std::string l1 = "{\"loss\": 1}\n";
  const std::string l2 = "{\"loss\": 2, \"time\": 555.5}\n";
  const std::string l3 = "{\"loss\": 3}\n";
  const std::string l4 = "{\"loss\": 4}\n";
  const std::string l5 = "{\"loss\": 5}";
  MetricSet live;
  {
    MetricsTailer tailer(path, marks_path);
    Append(path, l1);
    ASSERT_TRUE(tailer.Poll(100, live).ok());
    ASSERT_TRUE(tailer.Poll(150, live).ok());  // nothing new: no mark
    Append(path, l2 + l3);
    ASSERT_TRUE(tailer.Poll(200, live).ok());
    Append(path, l4 + l5);
    // The reader "crashes" here: l4 and l5 are never polled.
  }
  auto marks = LoadTimeMarks(marks_path);
  ASSERT_TRUE(marks.ok()) << marks.status().message();
  ASSERT_EQ(marks->size(), 2u);
  EXPECT_EQ((*marks)[0].offset, l1.size());
  EXPECT_EQ((*marks)[0].time, 100);
  EXPECT_EQ((*marks)[1].offset, l1.size() + l2.size() + l3.size());
  EXPECT_EQ((*marks)[1].time, 200);

  MetricSet recovered;
  MetricsTailer replay(path);
  ASSERT_TRUE(replay.Replay(*marks, 999, recovered).ok());
  EXPECT_THAT(TailedValues(recovered, "loss"), ElementsAre(1, 2, 3, 4, 5));
  // l2 keeps its own time; lines past the last mark get the last mark's.
  EXPECT_THAT(Times(recovered, "loss"), ElementsAre(100, 555.5, 200, 200, 200));
  EXPECT_THAT(Times(live, "loss"), ElementsAre(100, 555.5, 200));

  MetricSet no_marks;
  MetricsTailer replay2(path);
  ASSERT_TRUE(replay2.Replay({}, 999, no_marks).ok());
  EXPECT_THAT(Times(no_marks, "loss"), ElementsAre(999, 555.5, 999, 999, 999));
}

TEST(MetricsTailerTest, FinishWritesAFinalMark) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  std::string marks_path = dir.File("metrics.marks");
  Append(path, "{\"a\": 1}\n{\"a\": 2}");
  MetricsTailer tailer(path, marks_path);
  MetricSet set;
  ASSERT_TRUE(tailer.Poll(5, set).ok());
  ASSERT_TRUE(tailer.Finish(6, set).ok());
  auto marks = LoadTimeMarks(marks_path);
  ASSERT_TRUE(marks.ok());
  ASSERT_EQ(marks->size(), 2u);
  EXPECT_EQ((*marks)[1].offset, std::filesystem::file_size(path));
  EXPECT_EQ((*marks)[1].time, 6);
}

TEST(MetricsTailerTest, UnwritableMarksAreAnError) {
  trail::testing::TempDir dir;
  std::string path = dir.File("metrics.jsonl");
  Append(path, "{\"a\": 1}\n");
  MetricsTailer tailer(path, dir.File("missing/dir/marks"));
  MetricSet set;
  Status s = tailer.Poll(1, set);
  EXPECT_EQ(s.code(), Code::kIo);
  EXPECT_EQ(set.TotalPoints(), 1);  // the lines were still read
}

}  // namespace
}  // namespace trail::metrics
