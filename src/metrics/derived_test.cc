#include "metrics/derived.h"

#include <gtest/gtest.h>

#include <cmath>

namespace trail::metrics {
namespace {

void AddSeries(MetricSet& set, const std::string& key, const std::vector<std::pair<int64_t, double>>& pts) {
  for (auto [s, v] : pts) set.Add(key, s, 0, v);
}

TEST(DerivedTest, KerasNamesGiveAllFigures) {
  MetricSet set;
  AddSeries(set, "loss", {{1, 0.9}, {2, 0.5}, {3, 0.3}, {4, 0.2}});
  AddSeries(set, "val_loss", {{1, 1.0}, {2, 0.6}, {3, 0.45}, {4, 0.5}});
  AddSeries(set, "accuracy", {{1, 0.5}, {2, 0.7}, {3, 0.8}, {4, 0.9}});
  AddSeries(set, "val_accuracy", {{1, 0.4}, {2, 0.6}, {3, 0.75}, {4, 0.7}});
  Json d = DeriveMetrics(set, {});
  EXPECT_DOUBLE_EQ(d["val_loss_min"].get<double>(), 0.45);
  EXPECT_EQ(d["val_loss_min_step"], 3);
  // gaps: 0.1, 0.1, 0.15, 0.3
  EXPECT_NEAR(d["train_val_gap_avg"].get<double>(), 0.1625, 1e-12);
  EXPECT_NEAR(d["train_val_gap_max"].get<double>(), 0.3, 1e-12);
  EXPECT_EQ(d["train_val_gap_max_step"], 4);
  EXPECT_DOUBLE_EQ(d["best_accuracy"].get<double>(), 0.75);
  EXPECT_EQ(d["best_accuracy_step"], 3);
  EXPECT_EQ(d["sources"]["train_loss"], "loss");
  EXPECT_EQ(d["sources"]["val_loss"], "val_loss");
  EXPECT_EQ(d["sources"]["accuracy"], "val_accuracy");
}

TEST(DerivedTest, GapOnlyAtStepsBothHaveLastPointWins) {
  MetricSet set;
  // Training logged every step, validation every other; step 2 logged twice.
  AddSeries(set, "train_loss", {{1, 1.0}, {2, 0.9}, {2, 0.8}, {3, 0.7}, {4, 0.6}});
  AddSeries(set, "valid_loss", {{2, 1.0}, {4, 0.7}, {5, 0.1}});
  Json d = DeriveMetrics(set, {});
  EXPECT_NEAR(d["train_val_gap_avg"].get<double>(), (0.2 + 0.1) / 2, 1e-12);
  EXPECT_NEAR(d["train_val_gap_max"].get<double>(), 0.2, 1e-12);
  EXPECT_EQ(d["train_val_gap_max_step"], 2);
  EXPECT_FALSE(d.contains("best_accuracy"));
}

TEST(DerivedTest, NaNIgnoredAndConfiguredNamesWin) {
  MetricSet set;
  AddSeries(set, "loss", {{0, 5}, {1, 4}});
  AddSeries(set, "val_loss", {{0, 9}, {1, 9}});
  AddSeries(set, "my_train", {{0, 1.0}, {1, NAN}});
  AddSeries(set, "my_val", {{0, NAN}, {1, 2.0}, {2, 3.0}});
  AddSeries(set, "score", {{0, 0.1}, {1, 0.3}});
  Json d = DeriveMetrics(set, {"my_train", "my_val", "score"});
  EXPECT_DOUBLE_EQ(d["val_loss_min"].get<double>(), 2.0);
  EXPECT_EQ(d["val_loss_min_step"], 1);
  EXPECT_FALSE(d.contains("train_val_gap_avg"));  // no step where both are finite
  EXPECT_DOUBLE_EQ(d["best_accuracy"].get<double>(), 0.3);
  EXPECT_EQ(d["sources"]["val_loss"], "my_val");
}

TEST(DerivedTest, ValidationWithoutTrainingStillHasMinimum) {
  MetricSet set;
  AddSeries(set, "val_loss", {{0, 0.5}, {1, 0.4}});
  Json d = DeriveMetrics(set, {});
  EXPECT_DOUBLE_EQ(d["val_loss_min"].get<double>(), 0.4);
  EXPECT_FALSE(d.contains("train_val_gap_avg"));
}

TEST(DerivedTest, NothingMatchingIsEmpty) {
  MetricSet set;
  AddSeries(set, "throughput", {{0, 5}});
  EXPECT_TRUE(DeriveMetrics(set, {}).empty());
}

TEST(DerivedTest, TensorBoardKerasNames) {
  MetricSet set;
  AddSeries(set, "train/epoch_loss", {{0, 0.5}, {1, 0.3}});
  AddSeries(set, "validation/epoch_loss", {{0, 0.6}, {1, 0.5}});
  AddSeries(set, "validation/epoch_accuracy", {{0, 0.8}, {1, 0.85}});
  Json d = DeriveMetrics(set, {});
  EXPECT_NEAR(d["train_val_gap_max"].get<double>(), 0.2, 1e-12);
  EXPECT_EQ(d["sources"]["accuracy"], "validation/epoch_accuracy");
}

}  // namespace
}  // namespace trail::metrics
