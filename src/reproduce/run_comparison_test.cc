#include "reproduce/run_comparison.h"

#include <gtest/gtest.h>

#include <cmath>

namespace trail::reproduce {
namespace {

Json RunRecord(double loss_last, const char* status = "finished") {
  return Json{{"id", "p-1"},
              {"status", status},
              {"metrics",
               {{"summary", {{"loss", {{"last", loss_last}, {"min", 0.1}, {"max", 0.9}}}}},
                {"derived", {{"val_loss_min", 0.2}, {"sources", {{"val", "val_loss"}}}}}}},
              {"artifacts", Json::array({{{"path", "models/m.npz"}, {"oid", "sha256:aa"}}})},
              {"data", Json::array({{{"role", "train"}, {"source", "d.csv"}, {"oid", "sha256:dd"}}})}};
}

const ComparedItem* Find(const std::vector<ComparedItem>& items, const std::string& name) {
  for (const auto& i : items)
    if (i.name == name) return &i;
  return nullptr;
}

TEST(CompareNumbers, NanEqualsNanAndToleranceIsRelativeOrAbsolute) {
  EXPECT_EQ(CompareNumbers(std::nan(""), std::nan(""), {}), Verdict::kIdentical);
  EXPECT_EQ(CompareNumbers(std::nan(""), 1.0, {1, 1}), Verdict::kDifferent);
  EXPECT_EQ(CompareNumbers(INFINITY, INFINITY, {}), Verdict::kIdentical);
  EXPECT_EQ(CompareNumbers(INFINITY, 1e308, {1, 1}), Verdict::kDifferent);
  EXPECT_EQ(CompareNumbers(1.0, 1.0, {}), Verdict::kIdentical);
  EXPECT_EQ(CompareNumbers(1.0, 1.01, {}), Verdict::kDifferent);
  EXPECT_EQ(CompareNumbers(1.0, 1.01, {0.01, 0}), Verdict::kWithinTolerance);
  EXPECT_EQ(CompareNumbers(1.0, 1.02, {0.01, 0}), Verdict::kDifferent);
  EXPECT_EQ(CompareNumbers(0.0, 1e-9, {0, 1e-8}), Verdict::kWithinTolerance);
  EXPECT_EQ(CompareNumbers(0.0, 1e-9, {0.5, 0}), Verdict::kDifferent);  // relative to max(|a|,|b|) = 1e-9: 0.5e-9
}

TEST(CompareRuns, IdenticalRunsAreAllIdentical) {
  auto items = CompareRuns(RunRecord(0.5), RunRecord(0.5), {}, nullptr);
  EXPECT_TRUE(AllSame(items));
  for (const auto& i : items) EXPECT_EQ(i.verdict, Verdict::kIdentical) << i.name;
  EXPECT_NE(Find(items, "loss.last"), nullptr);
  EXPECT_NE(Find(items, "loss.min"), nullptr);
  EXPECT_NE(Find(items, "val_loss_min"), nullptr);
  EXPECT_EQ(Find(items, "sources"), nullptr);  // not a value
  EXPECT_EQ(Find(items, "models/m.npz")->note, "byte-identical");
  EXPECT_EQ(Find(items, "train")->verdict, Verdict::kIdentical);
}

// The machine's own measurements differ from run to run (a loaded machine, one sample more):
// they are not compared.
TEST(CompareRuns, SystemMetricsAreNotCompared) {
  Json a = RunRecord(0.5);
  Json b = RunRecord(0.5);
  a["metrics"]["summary"]["system/cpu_percent"] = {{"last", 51.2}, {"min", 51.2}, {"max", 51.2}};
  b["metrics"]["summary"]["system/cpu_percent"] = {{"last", 47.8}, {"min", 47.8}, {"max", 47.8}};
  b["metrics"]["summary"]["system/rss_bytes"] = {{"last", 1e9}};  // only in one run
  auto items = CompareRuns(a, b, {}, nullptr);
  EXPECT_TRUE(AllSame(items));
  EXPECT_EQ(Find(items, "system/cpu_percent.last"), nullptr);
  EXPECT_EQ(Find(items, "system/rss_bytes"), nullptr);
  EXPECT_NE(Find(items, "loss.last"), nullptr);
}

TEST(CompareRuns, DifferencesAreNamed) {
  Json b = RunRecord(0.6);
  b["artifacts"][0]["oid"] = "sha256:bb";
  b["data"][0]["oid"] = "sha256:ee";
  b["metrics"]["summary"]["acc"] = {{"last", 1.0}};
  auto items = CompareRuns(RunRecord(0.5), b, {}, nullptr);
  EXPECT_FALSE(AllSame(items));
  EXPECT_EQ(Find(items, "loss.last")->verdict, Verdict::kDifferent);
  EXPECT_EQ(Find(items, "loss.min")->verdict, Verdict::kIdentical);
  EXPECT_EQ(Find(items, "acc")->verdict, Verdict::kDifferent);  // only in one run
  EXPECT_EQ(Find(items, "acc")->recorded, "absent");
  EXPECT_EQ(Find(items, "models/m.npz")->verdict, Verdict::kDifferent);
  EXPECT_EQ(Find(items, "models/m.npz")->note, "bytes differ");
  EXPECT_EQ(Find(items, "train")->verdict, Verdict::kDifferent);
}

TEST(CompareRuns, ToleranceAndContentComparer) {
  Json b = RunRecord(0.5000001);
  b["artifacts"][0]["oid"] = "sha256:bb";
  auto same_arrays = [](const Json&, const Json&) { return ContentVerdict{true, "arrays equal"}; };
  auto items = CompareRuns(RunRecord(0.5), b, {1e-3, 0}, same_arrays);
  EXPECT_TRUE(AllSame(items));
  EXPECT_EQ(Find(items, "loss.last")->verdict, Verdict::kWithinTolerance);
  EXPECT_EQ(Find(items, "models/m.npz")->verdict, Verdict::kWithinTolerance);
  EXPECT_EQ(Find(items, "models/m.npz")->note, "bytes differ, arrays equal");
}

TEST(CompareRuns, AFailedReproductionIsDifferent) {
  auto items = CompareRuns(RunRecord(0.5), RunRecord(0.5, "failed"), {}, nullptr);
  EXPECT_FALSE(AllSame(items));
  EXPECT_EQ(Find(items, "status")->verdict, Verdict::kDifferent);
  // Even when the recorded run failed the same way.
  EXPECT_FALSE(AllSame(CompareRuns(RunRecord(0.5, "failed"), RunRecord(0.5, "failed"), {}, nullptr)));
}

TEST(CompareRuns, MalformedRecordsDoNotThrow) {
  Json a = {{"id", "p-1"}, {"metrics", 3}, {"artifacts", "x"}, {"data", Json::array({1, "y"})}};
  auto items = CompareRuns(a, Json::object(), {}, nullptr);
  EXPECT_FALSE(AllSame(items));  // status absent on both sides: not a finished reproduction
}

}  // namespace
}  // namespace trail::reproduce
