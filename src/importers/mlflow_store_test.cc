#include "importers/mlflow_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>

#include "base/test_temp_dir.h"
#include "importers/mlflow_import.h"

namespace trail::importers {
namespace {

const char* kExperimentMeta =
    "artifact_location: file:///tmp/mlruns/1\ncreation_time: 1764142177000\nexperiment_id: '1'\n"
    "last_update_time: 1764142177000\nlifecycle_stage: active\nname: fraud\n";

std::string RunMeta(const std::string& run_id, int status, const std::string& stage = "active") {
  return "artifact_uri: file:///tmp/mlruns/1/" + run_id + "/artifacts\nend_time: null\nentry_point_name: ''\n" +
         "experiment_id: '1'\nlifecycle_stage: " + stage + "\nrun_id: " + run_id +
         "\nrun_name: r\nrun_uuid: " + run_id +
         "\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1764142177000\nstatus: " +
         std::to_string(status) + "\ntags: []\nuser_id: ann\n";
}

TEST(MlflowMetricLine, ParsesWhatMlflowWrites) {
  auto p = ParseMlflowMetricLine("1764142177000 0.25 3");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->timestamp_ms, 1764142177000);
  EXPECT_EQ(p->value, 0.25);
  EXPECT_EQ(p->step, 3);
  auto old = ParseMlflowMetricLine("1764142177000 nan");  // old stores: no step
  ASSERT_TRUE(old);
  EXPECT_TRUE(std::isnan(old->value));
  EXPECT_EQ(old->step, 0);
  EXPECT_TRUE(ParseMlflowMetricLine("1 inf 2") && std::isinf(ParseMlflowMetricLine("1 inf 2")->value));
  for (const char* bad : {"", "1", "1 x 2", "1 2 3 4", "1  2", "1.5 2 3", "1 2 3.5", "a 1 2"})
    EXPECT_FALSE(ParseMlflowMetricLine(bad)) << bad;
}

TEST(MlflowStore, ReadsExperimentsRunsKeysAndArtifacts) {
  testing::TempDir dir;
  const std::string run = "1/" + std::string(32, 'a');
  dir.Write("1/meta.yaml", kExperimentMeta);
  dir.Write(run + "/meta.yaml", RunMeta(std::string(32, 'a'), 3));
  dir.Write(run + "/params/lr", "0.01");
  dir.Write(run + "/tags/team/name", "fraud");
  dir.Write(run + "/metrics/val/loss", "1764142177000 1.0 0\n1764142178000 0.5 1\n");
  dir.Write(run + "/artifacts/model/m.bin", "xyz");
  dir.Write("1/" + std::string(32, 'b') + "/meta.yaml", RunMeta(std::string(32, 'b'), 4, "deleted"));
  auto store = ReadMlflowStore(dir.path(), {});
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_EQ(store->experiments.size(), 1u);
  const MlflowExperiment& e = store->experiments[0];
  EXPECT_EQ(e.name, "fraud");
  ASSERT_EQ(e.runs.size(), 1u);
  EXPECT_EQ(store->skipped_deleted_runs, 1);
  const MlflowRun& r = e.runs[0];
  EXPECT_EQ(r.status, MlflowStatus::kFinished);
  EXPECT_FALSE(r.end_ms);
  EXPECT_EQ(r.params, (std::vector<std::pair<std::string, std::string>>{{"lr", "0.01"}}));
  EXPECT_EQ(r.tags, (std::vector<std::pair<std::string, std::string>>{{"team/name", "fraud"}}));
  ASSERT_NE(r.metrics.Series("val/loss"), nullptr);
  EXPECT_EQ(r.metrics.Series("val/loss")->size(), 2u);
  EXPECT_DOUBLE_EQ((*r.metrics.Series("val/loss"))[1].time, 1764142178.0);
  ASSERT_EQ(r.artifacts.size(), 1u);
  EXPECT_EQ(r.artifacts[0].first, "model/m.bin");

  MlflowReadOptions with_deleted;
  with_deleted.include_deleted = true;
  EXPECT_EQ(ReadMlflowStore(dir.path(), with_deleted)->experiments[0].runs.size(), 2u);
  MlflowReadOptions unknown;
  unknown.experiments = {"nope"};
  EXPECT_EQ(ReadMlflowStore(dir.path(), unknown).status().code(), Code::kNotFound);
}

TEST(MlflowStore, RefusesLinksAndMismatchedIds) {
  testing::TempDir dir;
  const std::string id(32, 'a');
  dir.Write("1/meta.yaml", kExperimentMeta);
  dir.Write("1/" + id + "/meta.yaml", RunMeta(id, 3));
  ASSERT_EQ(::symlink("/etc/passwd", dir.File("1/" + id + "/params").c_str()), 0);
  auto linked = ReadMlflowStore(dir.path(), {});
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.status().message().find("symbolic link"), std::string::npos);
  ::unlink(dir.File("1/" + id + "/params").c_str());
  dir.Write("1/" + id + "/meta.yaml", RunMeta("other", 3));
  auto moved = ReadMlflowStore(dir.path(), {});
  ASSERT_FALSE(moved.ok());
  EXPECT_NE(moved.status().message().find("not its folder's name"), std::string::npos);
}

TEST(MlflowStatusMap, RunningRunsAreCrashed) {
  EXPECT_EQ(TrailStatusFor(MlflowStatus::kFinished), "finished");
  EXPECT_EQ(TrailStatusFor(MlflowStatus::kFailed), "failed");
  EXPECT_EQ(TrailStatusFor(MlflowStatus::kKilled), "killed");
  EXPECT_EQ(TrailStatusFor(MlflowStatus::kRunning), "crashed");
  EXPECT_EQ(TrailStatusFor(MlflowStatus::kScheduled), "crashed");
}

}  // namespace
}  // namespace trail::importers
