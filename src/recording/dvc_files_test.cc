#include "recording/dvc_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/test_temp_dir.h"

namespace trail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(DvcFilesTest, FlattensNumbersWithDotsAndSkipsTheRest) {
  std::vector<std::pair<std::string, double>> out;
  FlattenMetricNumbers(Json::parse(R"({"acc": 0.9, "train": {"loss": 1, "name": "x", "ok": true}, "l": [1]})"), "",
                       &out);
  EXPECT_THAT(out, ElementsAre(Pair("acc", 0.9), Pair("train.loss", 1.0)));
}

TEST(DvcFilesTest, ListsMetricsFilesOfTheTopLevelAndEveryStageRefusingUnsafePaths) {
  trail::testing::TempDir dir;
  dir.Write(
      "dvc.yaml",
      "metrics:\n  - dvclive/metrics.json\nstages:\n  train:\n    metrics:\n      - m.json:\n          cache: false\n"
      "      - ../up.json\n      - /abs.json\n      - .git/x.json\n      - m.json\n"
      "  each:\n    foreach: [a]\n    do:\n      metrics: [\"${item}.json\", e.yaml]\n");
  std::vector<std::string> warnings;
  EXPECT_THAT(DvcMetricsFiles(dir.path(), &warnings), ElementsAre("dvclive/metrics.json", "m.json", "e.yaml"));
  EXPECT_EQ(warnings.size(), 3u) << Joined(warnings);
  EXPECT_THAT(Joined(warnings), HasSubstr("../up.json"));
}

TEST(DvcFilesTest, ReadsWhatTheRunWroteAndDvcliveSeries) {
  trail::testing::TempDir dir;
  dir.Write("dvc.yaml", "stages:\n  s:\n    metrics: [m.json, s.yaml, t.toml]\n");
  dir.Write("m.json", R"({"acc": 0.5, "nested": {"f1": 0.25}})");
  dir.Write("s.yaml", "auc: 0.75\n");
  dir.Write("t.toml", "x = 1\n");
  dir.Write("dvclive/plots/metrics/train/loss.tsv", "timestamp\tstep\tloss\n1000\t0\t2\n2000\t1\tnan\n3000\t2\t0.5\n");
  dir.Write("dvclive/plots/metrics/bad.tsv", "timestamp\tstep\tbad\n1000\t0\t1\nx\ty\tz\n1\t2\t3\n");
  dir.Write("dvclive/metrics.json", R"({"step": 2, "train": {"loss": 0.5}, "lr": 0.125})");
  metrics::MetricSet set;
  Json origin = Json::object();
  std::vector<std::string> warnings;
  ReadDvcMetrics(dir.path(), /*since=*/0, &set, &origin, &warnings);
  EXPECT_THAT(set.Keys(), ::testing::UnorderedElementsAre("train.loss", "bad", "lr", "acc", "nested.f1", "auc"));
  const auto& loss = *set.Series("train.loss");
  ASSERT_EQ(loss.size(), 3u);
  EXPECT_EQ(loss[1].step, 1);
  EXPECT_DOUBLE_EQ(loss[1].time, 2.0);
  EXPECT_TRUE(std::isnan(loss[1].value));
  EXPECT_EQ(set.Series("bad")->size(), 1u);  // up to the malformed line
  EXPECT_EQ((*set.Series("lr"))[0].step, 2);
  EXPECT_EQ(origin["acc"], "dvc m.json");
  EXPECT_EQ(origin["train.loss"], "dvclive dvclive/plots/metrics/train/loss.tsv");
  EXPECT_EQ(origin["lr"], "dvclive dvclive/metrics.json");
  EXPECT_THAT(Joined(warnings), HasSubstr("bad.tsv: line 3: malformed"));
  EXPECT_THAT(Joined(warnings), HasSubstr("t.toml: TOML"));
}

TEST(DvcFilesTest, IgnoresOldFilesLinksAndOversizedOnes) {
  trail::testing::TempDir dir;
  trail::testing::TempDir outside;
  dir.Write("dvc.yaml", "metrics: [old.json, link.json, big.json]\n");
  dir.Write("old.json", R"({"old": 1})");
  outside.Write("secret.json", R"({"secret": 1})");
  ASSERT_EQ(::symlink(outside.File("secret.json").c_str(), dir.File("link.json").c_str()), 0);
  dir.Write("big.json", "{\"big\": 1, \"pad\": \"" + std::string(kMaxDvcFileBytes, 'x') + "\"}");
  dir.Write("dvclive/plots/metrics/ok.tsv", "timestamp\tstep\tok\n1\t0\t1\n");
  ASSERT_EQ(::symlink(outside.File("secret.json").c_str(), dir.File("dvclive/plots/metrics/s.tsv").c_str()), 0);
  metrics::MetricSet set;
  Json origin = Json::object();
  std::vector<std::string> warnings;
  // Every file is older than a run started an hour from now, except none: nothing is read.
  ReadDvcMetrics(dir.path(), /*since=*/4e9, &set, &origin, &warnings);
  EXPECT_EQ(set.NumKeys(), 0u);
  warnings.clear();
  ReadDvcMetrics(dir.path(), /*since=*/0, &set, &origin, &warnings);
  EXPECT_THAT(set.Keys(), ::testing::UnorderedElementsAre("ok", "old"));
  EXPECT_THAT(Joined(warnings), HasSubstr("link.json: a symbolic link"));
  EXPECT_THAT(Joined(warnings), HasSubstr("big.json"));
  EXPECT_THAT(Joined(warnings), HasSubstr("s.tsv"));
}

TEST(DvcFilesTest, NoDvcFilesNoPointsNoWarnings) {
  trail::testing::TempDir dir;
  dir.Write("dvc.yaml", "stages: {s: {cmd: x}}\n");
  metrics::MetricSet set;
  Json origin = Json::object();
  std::vector<std::string> warnings;
  ReadDvcMetrics(dir.path(), 0, &set, &origin, &warnings);
  EXPECT_EQ(set.NumKeys(), 0u);
  EXPECT_TRUE(warnings.empty()) << Joined(warnings);
}

}  // namespace
}  // namespace trail
