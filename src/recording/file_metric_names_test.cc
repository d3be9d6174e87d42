#include "recording/file_metric_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace trail {
namespace {

using ::testing::ElementsAre;

TEST(FileMetricNamesTest, OneRunKeepsItsNames) {
  EXPECT_THAT(DistinguishingPrefixes({{"logs", {"train/epoch_loss", "validation/epoch_loss"}}}), ElementsAre(""));
}

TEST(FileMetricNamesTest, RunsWithTheSameTagsArePrefixedByTheirOwnFolder) {
  // The TensorBoard HParams tutorial's layout: one folder per experiment under logs/.
  EXPECT_THAT(DistinguishingPrefixes({{"logs/Exp_0_adam", {"train/epoch_loss", "validation/epoch_loss"}},
                                      {"logs/Exp_2_sgd", {"train/epoch_loss", "validation/epoch_loss"}}}),
              ElementsAre("Exp_0_adam/", "Exp_2_sgd/"));
}

TEST(FileMetricNamesTest, OnlyCollidingSourcesArePrefixed) {
  // A Keras TensorBoard run and a torch SummaryWriter with other tags stay as they are.
  EXPECT_THAT(DistinguishingPrefixes({{"logs/fit/20261126-101010", {"train/epoch_loss"}},
                                      {"runs/exp1", {"Loss/train"}},
                                      {"hparam_tuning/run-0", {"accuracy"}},
                                      {"hparam_tuning/run-1", {"accuracy"}}}),
              ElementsAre("", "", "run-0/", "run-1/"));
}

TEST(FileMetricNamesTest, DeeperDifferencesKeepEveryDistinguishingFolder) {
  EXPECT_THAT(DistinguishingPrefixes({{"a/x/history", {"loss"}}, {"b/x/history", {"loss"}}, {"history", {"acc"}}}),
              ElementsAre("a/x/history/", "b/x/history/", ""));
  // A source in the common parent itself keeps its names; the nested one is prefixed.
  EXPECT_THAT(DistinguishingPrefixes({{"logs", {"loss"}}, {"logs/extra", {"loss"}}}), ElementsAre("", "extra/"));
}

}  // namespace
}  // namespace trail
