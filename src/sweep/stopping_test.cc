#include "sweep/stopping.h"

#include <gtest/gtest.h>

namespace trail::sweep {
namespace {

std::vector<metrics::Point> Series(const std::vector<double>& values, int64_t first_step = 0) {
  std::vector<metrics::Point> out;
  for (size_t i = 0; i < values.size(); ++i) out.push_back({first_step + static_cast<int64_t>(i), 0, values[i]});
  return out;
}

TEST(PatienceTest, StopsAfterPatienceStepsWithoutImprovement) {
  EarlyStop rule{"val_loss", 3, 0, Goal::kMinimize};
  EXPECT_FALSE(CheckPatience(rule, Series({1.0, 0.9, 0.8})));
  EXPECT_FALSE(CheckPatience(rule, Series({1.0, 0.5, 0.6, 0.7})));
  auto why = CheckPatience(rule, Series({1.0, 0.5, 0.6, 0.7, 0.55}));
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "early stop: val_loss did not improve on 0.5 (step 1) for 3 steps (patience 3)");
  // An improvement resets the count.
  EXPECT_FALSE(CheckPatience(rule, Series({1.0, 0.5, 0.6, 0.7, 0.4})));
}

TEST(PatienceTest, MinDeltaAndMaximize) {
  EarlyStop rule{"acc", 2, 0.01, Goal::kMaximize};
  EXPECT_TRUE(CheckPatience(rule, Series({0.5, 0.505, 0.509})));  // gains under min_delta
  EXPECT_FALSE(CheckPatience(rule, Series({0.5, 0.505, 0.52})));
}

TEST(MedianTest, PrunesWorseThanMedianOfEarlierTrialsAtTheSameStep) {
  Prune rule{"val_loss", 2, 3, Goal::kMinimize};
  std::vector<StepValues> earlier = {ByStep(Series({1.0, 0.8, 0.6})), ByStep(Series({1.0, 0.7, 0.5})),
                                     ByStep(Series({1.0, 0.9, 0.7}))};
  // Step 1 is before after_steps: never pruned.
  EXPECT_FALSE(CheckMedian(rule, Series({5.0, 5.0}), earlier));
  // At step 2 the median is 0.6; best so far 0.65 is worse.
  auto why = CheckMedian(rule, Series({1.0, 0.9, 0.65}), earlier);
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "pruned: best val_loss 0.65 by step 2 is worse than the median 0.6 of 3 earlier trials");
  EXPECT_FALSE(CheckMedian(rule, Series({1.0, 0.9, 0.55}), earlier));
  // Too few trials vote at step 3.
  EXPECT_FALSE(CheckMedian(rule, Series({1.0, 0.9, 0.9, 0.9}), earlier));
}

TEST(MedianTest, NeedsMinTrials) {
  Prune rule{"val_loss", 0, 5, Goal::kMinimize};
  std::vector<StepValues> earlier(4, ByStep(Series({0.1})));
  EXPECT_FALSE(CheckMedian(rule, Series({9.0}), earlier));
  earlier.push_back(ByStep(Series({0.1})));
  EXPECT_TRUE(CheckMedian(rule, Series({9.0}), earlier));
}

}  // namespace
}  // namespace trail::sweep
