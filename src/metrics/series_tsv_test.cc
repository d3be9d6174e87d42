#include "metrics/series_tsv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "metrics/test_limits.h"

namespace trail::metrics {
namespace {

using ::testing::HasSubstr;

TEST(SeriesTsvTest, ExactText) {
  std::vector<Point> points = {
      {0, 1700000000.0, 0.1},
      {1, 1700000000.1234, 1e-7},
      {2, 1700000000.9996, 3},
      {-5, 0, -2.5},
      {std::numeric_limits<int64_t>::max(), 12.5, kNaN},
      {7, 13, kInf},
      {8, 14, -kInf},
  };
  EXPECT_EQ(SeriesToTsv(points),
            "step\ttime\tvalue\n"
            "0\t1700000000.000\t0.1\n"
            "1\t1700000000.123\t1e-07\n"
            "2\t1700000001.000\t3\n"
            "-5\t0.000\t-2.5\n"
            "9223372036854775807\t12.500\tnan\n"
            "7\t13.000\tinf\n"
            "8\t14.000\t-inf\n");
}

TEST(SeriesTsvTest, EmptySeriesIsJustTheHeader) {
  EXPECT_EQ(SeriesToTsv({}), "step\ttime\tvalue\n");
  auto back = SeriesFromTsv("step\ttime\tvalue\n");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->empty());
}

TEST(SeriesTsvTest, RoundTripKeepsValuesExactlyAndTimesToTheMillisecond) {
  std::vector<Point> points = {
      {0, 1700000000.25, 0.1},
      {1, 1700000000.1234, 1.0 / 3},
      {2, 1.5, kNaN},
      {3, 2.0, kInf},
      {4, 3.0, -kInf},
      {5, 4.0, -0.0},
      {6, 5.0, 5e-324},
      {7, 6.0, std::numeric_limits<double>::max()},
      {std::numeric_limits<int64_t>::min(), 7.0, 123456789.123456789},
  };
  auto back = SeriesFromTsv(SeriesToTsv(points));
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& a = points[i];
    const Point& b = (*back)[i];
    EXPECT_EQ(a.step, b.step);
    EXPECT_EQ(std::round(a.time * 1000) / 1000, b.time) << i;
    if (std::isnan(a.value)) {
      EXPECT_TRUE(std::isnan(b.value));
    } else {
      EXPECT_EQ(std::bit_cast<uint64_t>(a.value), std::bit_cast<uint64_t>(b.value)) << i;
    }
  }
  EXPECT_EQ(SeriesToTsv(*back), SeriesToTsv(points));
}

std::string CorruptReason(std::string_view text) {
  auto r = SeriesFromTsv(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Code::kCorrupt);
  return r.status().message();
}

TEST(SeriesTsvTest, CorruptInput) {
  EXPECT_THAT(CorruptReason(""), HasSubstr("line 1: missing header"));
  EXPECT_THAT(CorruptReason("step\ttime\n"), HasSubstr("line 1: header"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue"), HasSubstr("line 1: no newline"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1\t2.000\t3"), HasSubstr("line 2: no newline"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1\t2.000\t3\n1\t2.000\n"),
              HasSubstr("line 3: expected 3 tab-separated fields"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1\t2.000\t3\t4\n"), HasSubstr("line 2: expected 3"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1\t2.000\t3\t\n"), HasSubstr("line 2: expected 3"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n\n"), HasSubstr("line 2: expected 3"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1.5\t2.000\t3\n"), HasSubstr("line 2: bad step"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n\t2.000\t3\n"), HasSubstr("line 2: bad step"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n+1\t2.000\t3\n"), HasSubstr("line 2: bad step"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n99999999999999999999\t2\t3\n"), HasSubstr("line 2: bad step"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1\tnow\t3\n"), HasSubstr("line 2: bad time"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1\t2.000\tabc\n"), HasSubstr("line 2: bad value"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1\t2.000\tNaN\n"), HasSubstr("line 2: bad value"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1\t2.000\tinfinity\n"), HasSubstr("line 2: bad value"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1\t2.000\t3 \n"), HasSubstr("line 2: bad value"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\n1\t2.000\t.5\n"), HasSubstr("line 2: bad value"));
  EXPECT_THAT(CorruptReason("step\ttime\tvalue\r\n"), HasSubstr("line 1: header"));
}

}  // namespace
}  // namespace trail::metrics
