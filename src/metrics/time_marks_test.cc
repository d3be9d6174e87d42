#include "metrics/time_marks.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "base/test_temp_dir.h"

namespace trail::metrics {
namespace {

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(TimeMarksTest, RecordsAreSixteenLittleEndianBytes) {
  trail::testing::TempDir dir;
  std::string path = dir.File("marks");
  {
    auto marks = TimeMarks::Open(path);
    ASSERT_TRUE(marks.ok()) << marks.status().message();
    ASSERT_TRUE(marks->Append(0x0102030405060708, 1.0).ok());
  }
  EXPECT_EQ(ReadBytes(path), std::string("\x08\x07\x06\x05\x04\x03\x02\x01"
                                         "\x00\x00\x00\x00\x00\x00\xf0\x3f",
                                         16));
}

TEST(TimeMarksTest, AppendThenLoad) {
  trail::testing::TempDir dir;
  std::string path = dir.File("marks");
  {
    auto marks = TimeMarks::Open(path);
    ASSERT_TRUE(marks.ok());
    ASSERT_TRUE(marks->Append(100, 1700000000.25).ok());
    ASSERT_TRUE(marks->Append(250, 1700000000.5).ok());
  }
  {
    auto marks = TimeMarks::Open(path);  // reopening appends
    ASSERT_TRUE(marks.ok());
    ASSERT_TRUE(marks->Append(400, 1700000001).ok());
  }
  auto loaded = LoadTimeMarks(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ((*loaded)[0].offset, 100u);
  EXPECT_EQ((*loaded)[0].time, 1700000000.25);
  EXPECT_EQ((*loaded)[1].offset, 250u);
  EXPECT_EQ((*loaded)[2].offset, 400u);
  EXPECT_EQ((*loaded)[2].time, 1700000001);
}

TEST(TimeMarksTest, MissingFileHasNoMarks) {
  trail::testing::TempDir dir;
  auto loaded = LoadTimeMarks(dir.File("absent"));
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->empty());
}

TEST(TimeMarksTest, TornTailIsIgnored) {
  trail::testing::TempDir dir;
  std::string path = dir.File("marks");
  {
    auto marks = TimeMarks::Open(path);
    ASSERT_TRUE(marks.ok());
    ASSERT_TRUE(marks->Append(10, 5).ok());
  }
  std::ofstream(path, std::ios::binary | std::ios::app) << std::string("\x20\x00\x00\x00\x00", 5);
  auto loaded = LoadTimeMarks(path);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].offset, 10u);
}

TEST(TimeMarksTest, DecreaseDropsEarlierMarks) {
  trail::testing::TempDir dir;
  std::string path = dir.File("marks");
  {
    auto marks = TimeMarks::Open(path);
    ASSERT_TRUE(marks.ok());
    ASSERT_TRUE(marks->Append(100, 1).ok());
    ASSERT_TRUE(marks->Append(200, 2).ok());
    ASSERT_TRUE(marks->Append(0, 3).ok());  // the metrics file was rewritten
    ASSERT_TRUE(marks->Append(50, 4).ok());
  }
  auto loaded = LoadTimeMarks(path);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].offset, 0u);
  EXPECT_EQ((*loaded)[1].offset, 50u);
  EXPECT_EQ((*loaded)[1].time, 4);
}

TEST(TimeMarksTest, TimeForOffset) {
  std::vector<TimeMark> marks = {{100, 10}, {250, 20}, {400, 30}};
  EXPECT_EQ(TimeForOffset(marks, 1, -1), 10);
  EXPECT_EQ(TimeForOffset(marks, 100, -1), 10);
  EXPECT_EQ(TimeForOffset(marks, 101, -1), 20);
  EXPECT_EQ(TimeForOffset(marks, 250, -1), 20);
  EXPECT_EQ(TimeForOffset(marks, 400, -1), 30);
  EXPECT_EQ(TimeForOffset(marks, 401, -1), 30);  // read after the last mark
  EXPECT_EQ(TimeForOffset({}, 5, -1), -1);
}

TEST(TimeMarksTest, OpenFailsInAMissingDirectory) {
  trail::testing::TempDir dir;
  auto marks = TimeMarks::Open(dir.File("no/such/dir/marks"));
  ASSERT_FALSE(marks.ok());
  EXPECT_EQ(marks.status().code(), Code::kIo);
}

// A reader of the bytes past an offset gets the marks that time them, and agrees with
// TimeForOffset over the whole file for every line end past it.
TEST(TimeMarksTest, LoadAfterReadsOnlyTheTail) {
  trail::testing::TempDir dir;
  std::string path = dir.File("marks");
  {
    auto marks = TimeMarks::Open(path);
    ASSERT_TRUE(marks.ok());
    for (int i = 1; i <= 1000; ++i) ASSERT_TRUE(marks->Append(i * 100, 1000.0 + i).ok());
  }
  auto all = LoadTimeMarks(path);
  ASSERT_TRUE(all.ok());
  for (uint64_t after : {0, 1, 99, 100, 101, 50'000, 99'999, 100'000, 200'000}) {
    auto tail = LoadTimeMarksAfter(path, after);
    ASSERT_TRUE(tail.ok()) << tail.status().message();
    ASSERT_FALSE(tail->empty());
    EXPECT_LE(tail->size(), 1001 - std::min<uint64_t>(after / 100, 1000) + 1);
    for (uint64_t end = after + 1; end < after + 500; end += 37)
      EXPECT_EQ(TimeForOffset(*tail, end, -1), TimeForOffset(*all, end, -1)) << after << " " << end;
  }
  auto none = LoadTimeMarksAfter(dir.File("missing"), 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace trail::metrics
