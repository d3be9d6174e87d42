#include "metrics/series_columns.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "metrics/series_tsv.h"
#include "metrics/test_limits.h"

namespace trail::metrics {
namespace {

TEST(SeriesColumnsTest, SamePointsAsSeriesFromTsv) {
  std::vector<Point> points = {
      {0, 1700000000.0, 0.1}, {1, 1700000000.1234, 1e-7},
      {-5, 0, -2.5},          {std::numeric_limits<int64_t>::max(), 12.5, kNaN},
      {7, 13, kInf},          {8, 14, -kInf},
      {9, 15, 1e300},         {10, 16, -0.0},
  };
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> d(-1e6, 1e6);
  for (int i = 0; i < 1000; ++i) points.push_back({i * 3 - 100, 1.7e9 + i * 0.001, d(rng)});
  std::string tsv = SeriesToTsv(points);
  auto slow = SeriesFromTsv(tsv);
  ASSERT_TRUE(slow.ok());
  auto cols = ParseSeriesColumns(tsv);
  ASSERT_TRUE(cols.ok()) << cols.status().message();
  ASSERT_EQ(cols->size(), slow->size());
  for (size_t i = 0; i < slow->size(); ++i) {
    EXPECT_EQ(cols->step[i], (*slow)[i].step);
    EXPECT_EQ(cols->time[i], (*slow)[i].time);
    if (std::isnan((*slow)[i].value)) {
      EXPECT_TRUE(std::isnan(cols->value[i]));
    } else {
      EXPECT_EQ(cols->value[i], (*slow)[i].value);
      EXPECT_EQ(std::signbit(cols->value[i]), std::signbit((*slow)[i].value));
    }
  }
}

// Times as SeriesToTsv writes them (3 decimals) take a fast path; it must give the very bits the
// general parser gives, for every magnitude.
TEST(SeriesColumnsTest, MillisecondTimesParseToTheSameBits) {
  std::vector<Point> points;
  std::mt19937_64 rng(3);
  for (double scale : {1e-3, 1.0, 1e3, 1.7e9, 1e11, 9.99e11, 1e12, 1e14}) {
    std::uniform_real_distribution<double> d(0, scale);
    for (int i = 0; i < 2000; ++i) points.push_back({i, d(rng), 1});
  }
  points.push_back({0, -1.5, 1});
  auto slow = SeriesFromTsv(SeriesToTsv(points));
  auto cols = ParseSeriesColumns(SeriesToTsv(points));
  ASSERT_TRUE(slow.ok() && cols.ok());
  for (size_t i = 0; i < slow->size(); ++i) ASSERT_EQ(cols->time[i], (*slow)[i].time) << i;
  auto odd = ParseSeriesColumns("step\ttime\tvalue\n0\t01.500\t1\n1\t2.5\t1\n2\t1e3\t1\n");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->time, (std::vector<double>{1.5, 2.5, 1000}));
}

TEST(SeriesColumnsTest, HeaderOnlyIsEmpty) {
  auto cols = ParseSeriesColumns("step\ttime\tvalue\n");
  ASSERT_TRUE(cols.ok());
  EXPECT_EQ(cols->size(), 0u);
}

// Every malformed input gets SeriesFromTsv's reason and the line it is on.
TEST(SeriesColumnsTest, MalformedLinesNameTheLine) {
  const std::string h = "step\ttime\tvalue\n";
  struct Case {
    std::string text, message;
  } cases[] = {
      {"", "line 1: missing header (empty file)"},
      {"step\ttime\tvalue", "line 1: no newline at end (truncated file?)"},
      {"step,time,value\n", "line 1: header is not \"step\\ttime\\tvalue\""},
      {h + "0\t1.000\t1\n1\t2.000\n", "line 3: expected 3 tab-separated fields"},
      {h + "0\t1.000\t1\t4\n", "line 2: expected 3 tab-separated fields"},
      {h + "x\t1.000\t1\n", "line 2: bad step"},
      {h + "1.5\t1.000\t1\n", "line 2: bad step"},
      {h + "\t1.000\t1\n", "line 2: bad step"},
      {h + "0\tinfinity\t1\n", "line 2: bad time"},
      {h + "0\t1.000\tNaN\n", "line 2: bad value"},
      {h + "0\t1.000\tnan(1)\n", "line 2: bad value"},
      {h + "0\t1.000\t+1\n", "line 2: bad value"},
      {h + "0\t1.000\t1x\n", "line 2: bad value"},
      {h + "0\t1.000\t\n", "line 2: bad value"},
      {h + "0\t1.000\t1e999\n", "line 2: bad value"},
      {h + "0\t1.000\t1\n1\t2.000\t2", "line 3: no newline at end (truncated file?)"},
      {h + "0\t1.000\tinf", "line 2: no newline at end (truncated file?)"},
  };
  for (const auto& c : cases) {
    auto cols = ParseSeriesColumns(c.text);
    ASSERT_FALSE(cols.ok()) << c.text;
    EXPECT_EQ(cols.status().code(), Code::kCorrupt);
    EXPECT_EQ(cols.status().message(), c.message) << c.text;
    // The reference parser refuses the same input.
    EXPECT_FALSE(SeriesFromTsv(c.text).ok()) << c.text;
  }
}

TEST(SeriesColumnsTest, BytesCountsTheColumns) {
  auto cols = ParseSeriesColumns("step\ttime\tvalue\n0\t1.000\t2\n1\t2.000\t3\n");
  ASSERT_TRUE(cols.ok());
  EXPECT_GE(cols->bytes(), 2 * (sizeof(int64_t) + 2 * sizeof(double)));
}

}  // namespace
}  // namespace trail::metrics
