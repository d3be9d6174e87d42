#include "metrics/metric_set.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metrics/test_limits.h"

namespace trail::metrics {
namespace {

TEST(MetricSetTest, KeysInFirstSeenOrder) {
  MetricSet set;
  set.Add("zeta", 0, 1.0, 1);
  set.Add("alpha", 0, 1.0, 2);
  set.Add("zeta", 1, 2.0, 3);
  set.Add("mid", 1, 2.0, 4);
  EXPECT_EQ(set.Keys(), (std::vector<std::string>{"zeta", "alpha", "mid"}));
  EXPECT_EQ(set.TotalPoints(), 4);
}

TEST(MetricSetTest, SeriesKeepsPointsInOrder) {
  MetricSet set;
  set.Add("loss", 5, 10.5, 0.5);
  set.Add("loss", 3, 11.5, 0.25);
  const std::vector<Point>* s = set.Series("loss");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].step, 5);
  EXPECT_EQ((*s)[0].time, 10.5);
  EXPECT_EQ((*s)[0].value, 0.5);
  EXPECT_EQ((*s)[1].step, 3);
  EXPECT_EQ((*s)[1].value, 0.25);
  EXPECT_EQ(set.Series("nope"), nullptr);
  EXPECT_FALSE(set.Summarize("nope").has_value());
}

TEST(MetricSetTest, SeriesPointerSurvivesNewKeys) {
  MetricSet set;
  set.Add("a", 0, 0, 1);
  const std::vector<Point>* a = set.Series("a");
  for (int i = 0; i < 1000; ++i) set.Add("k" + std::to_string(i), 0, 0, i);
  set.Add("a", 1, 0, 2);
  EXPECT_EQ(a, set.Series("a"));
  EXPECT_EQ(a->size(), 2u);
}

TEST(MetricSetTest, SummaryTakesFirstStepOfTiedExtremes) {
  MetricSet set;
  set.Add("loss", 0, 100.0, 3);
  set.Add("loss", 1, 101.0, 1);
  set.Add("loss", 2, 102.0, 5);
  set.Add("loss", 3, 103.0, 1);
  set.Add("loss", 4, 104.0, 5);
  set.Add("loss", 5, 105.0, 2);
  auto s = set.Summarize("loss");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->last, 2);
  EXPECT_EQ(s->last_step, 5);
  EXPECT_EQ(s->min, 1);
  EXPECT_EQ(s->min_step, 1);
  EXPECT_EQ(s->max, 5);
  EXPECT_EQ(s->max_step, 2);
  EXPECT_EQ(s->count, 6);
  EXPECT_EQ(s->first_time, 100.0);
  EXPECT_EQ(s->last_time, 105.0);
}

TEST(MetricSetTest, SummaryIgnoresNaN) {
  MetricSet set;
  set.Add("x", 10, 1, kNaN);
  set.Add("x", 11, 2, 4);
  set.Add("x", 12, 3, kNaN);
  set.Add("x", 13, 4, -kInf);
  set.Add("x", 14, 5, kNaN);
  auto s = set.Summarize("x");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(std::isnan(s->last));
  EXPECT_EQ(s->last_step, 14);
  EXPECT_EQ(s->min, -kInf);
  EXPECT_EQ(s->min_step, 13);
  EXPECT_EQ(s->max, 4);
  EXPECT_EQ(s->max_step, 11);
  EXPECT_EQ(s->count, 5);
  EXPECT_EQ(s->first_time, 1);
  EXPECT_EQ(s->last_time, 5);
}

TEST(MetricSetTest, SummaryOfAllNaN) {
  MetricSet set;
  set.Add("x", 7, 1, kNaN);
  set.Add("x", 8, 2, kNaN);
  auto s = set.Summarize("x");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(std::isnan(s->min));
  EXPECT_TRUE(std::isnan(s->max));
  EXPECT_EQ(s->min_step, 7);
  EXPECT_EQ(s->max_step, 7);
  EXPECT_EQ(s->count, 2);
  EXPECT_EQ(s->last_step, 8);
}

TEST(MetricSetTest, SummaryOfOnePoint) {
  MetricSet set;
  set.Add("x", 4, 9.5, 0.5);
  auto s = set.Summarize("x");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->min, 0.5);
  EXPECT_EQ(s->max, 0.5);
  EXPECT_EQ(s->last, 0.5);
  EXPECT_EQ(s->min_step, 4);
  EXPECT_EQ(s->max_step, 4);
  EXPECT_EQ(s->count, 1);
  EXPECT_EQ(s->first_time, 9.5);
  EXPECT_EQ(s->last_time, 9.5);
}

}  // namespace
}  // namespace trail::metrics
