#include "project/metrics_config.h"

#include <gtest/gtest.h>

namespace trail {
namespace {

StatusOr<MetricsConfig> ParseMetrics(const std::string& yaml) {
  auto j = ParseYaml(yaml, "test");
  EXPECT_TRUE(j.ok());
  return ParseMetricsConfig(*j);
}

TEST(MetricsConfigTest, Defaults) {
  auto c = ParseMetrics("name: p\n");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->parse_output);
  EXPECT_FALSE(c->key_values);
  EXPECT_TRUE(c->tensorboard_auto);
  EXPECT_TRUE(c->csv_files.empty());
  EXPECT_TRUE(c->csv_auto);
}

TEST(MetricsConfigTest, AllKeys) {
  auto c = ParseMetrics(
      "metrics: {parse_output: key_values, tensorboard: [logs, /abs/tb], csv: train.csv, "
      "train_loss: tl, val_loss: vl, accuracy: va}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->parse_output);
  EXPECT_TRUE(c->key_values);
  EXPECT_FALSE(c->tensorboard_auto);
  EXPECT_EQ(c->tensorboard_dirs, (std::vector<std::string>{"logs", "/abs/tb"}));
  EXPECT_EQ(c->csv_files, (std::vector<std::string>{"train.csv"}));
  EXPECT_FALSE(c->csv_auto);  // a list replaces finding them
  EXPECT_EQ(c->derived.train_loss, "tl");
  EXPECT_EQ(c->derived.val_loss, "vl");
  EXPECT_EQ(c->derived.accuracy, "va");
  auto off = ParseMetrics("metrics: {parse_output: false, tensorboard: off, csv: off}\n");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->parse_output);
  EXPECT_FALSE(off->tensorboard_auto);
  EXPECT_FALSE(off->csv_auto);
  auto csv_auto = ParseMetrics("metrics: {csv: auto}\n");
  ASSERT_TRUE(csv_auto.ok());
  EXPECT_TRUE(csv_auto->csv_auto);
}

TEST(MetricsConfigTest, ErrorsNameTheKey) {
  EXPECT_EQ(ParseMetrics("metrics: [1]\n").status().message(), ".trail/config.yaml: metrics: expected a mapping");
  EXPECT_EQ(ParseMetrics("metrics: {parse_output: maybe}\n").status().message(),
            ".trail/config.yaml: metrics.parse_output: expected true, false or key_values");
  EXPECT_EQ(ParseMetrics("metrics: {csv: [1]}\n").status().message(),
            ".trail/config.yaml: metrics.csv: expected a list of paths");
  EXPECT_EQ(ParseMetrics("metrics: {val_loss: ''}\n").status().message(),
            ".trail/config.yaml: metrics.val_loss: expected a metric name");
  EXPECT_EQ(ParseMetrics("metrics: {tensorbord: auto}\n").status().message(),
            ".trail/config.yaml: metrics.tensorbord: unknown key (expected parse_output, tensorboard, csv, system, "
            "dvc, train_loss, val_loss, accuracy)");
  EXPECT_EQ(ParseMetrics("metrics: {dvc: maybe}\n").status().message(),
            ".trail/config.yaml: metrics.dvc: expected auto or off");
  EXPECT_FALSE(ParseMetrics("metrics: {dvc: off}\n")->dvc);
  EXPECT_TRUE(ParseMetrics("metrics: {dvc: auto}\n")->dvc);
}

TEST(MetricsConfigTest, SystemMetrics) {
  auto c = ParseMetrics("name: p\n");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->system);
  EXPECT_EQ(c->system_interval, kDefaultSystemInterval);
  auto every = ParseMetrics("metrics: {system: 0.5}\n");
  ASSERT_TRUE(every.ok()) << every.status().message();
  EXPECT_TRUE(every->system);
  EXPECT_EQ(every->system_interval, 0.5);
  auto off = ParseMetrics("metrics: {system: off}\n");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->system);
  auto fast = ParseMetrics("metrics: {system: 0.01}\n");
  ASSERT_FALSE(fast.ok());
  EXPECT_EQ(fast.status().message(), ".trail/config.yaml: metrics.system 0.01: expected seconds from 0.1 to 3600");
  EXPECT_FALSE(ParseMetrics("metrics: {system: often}\n").ok());
}

}  // namespace
}  // namespace trail
