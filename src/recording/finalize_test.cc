// Finalizing in its three steps (finalize.h): collect, store, commit, and the one allocator
// a run whose number was taken meanwhile goes back to.
#include "recording/finalize.h"

#include <gtest/gtest.h>

#include "git/git_test_util.h"
#include "project/project.h"
#include "record/live_files.h"
#include "record/record.h"
#include "recording/live_run.h"

namespace trail {
namespace {

using git::testing::GitRepoFixture;

class FinalizeTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("app.py", "print('hi')\n");
    CommitAll("init");
    InitOptions opts;
    opts.name = "p";
    ASSERT_TRUE(Project::Init(root(), opts).ok());
    auto p = Project::Open(root());
    ASSERT_TRUE(p.ok()) << p.status().message();
    project_ = std::move(*p);
  }

  Json StartRecord(const LiveRun& run, const std::string& uid) {
    Json rec = Json::object();
    rec["trail"] = 1;
    rec["id"] = run.id;
    rec["number"] = run.number;
    rec["uid"] = uid;
    rec["status"] = "running";
    rec["started"] = "2026-11-26T10:00:00.000Z";
    return rec;
  }

  std::unique_ptr<Project> project_;
};

TEST_F(FinalizeTest, CollectReadsTheLiveFolderIntoTheRecordAndItsFiles) {
  auto run = AllocateRun(*project_);
  ASSERT_TRUE(run.ok());
  Write(".trail/live/p-1/" + std::string(record::live::kMetricsFile), "{\"step\": 1, \"loss\": 0.5}\n");
  Write(".trail/live/p-1/" + std::string(record::live::kStopFile), "median rule");
  FinalizeOptions options;
  options.exit = ExitInfo{0, 15, 1.7e9};
  options.output_tail = "tail\n";
  FinishedRun f = CollectRun(*project_, *run, StartRecord(*run, "u1"), options);
  EXPECT_EQ(record::GetString(f.record, "status"), record::kPruned);
  EXPECT_EQ(record::GetString(f.record, "pruned"), "median rule");
  EXPECT_EQ(f.record["exit_code"], 128 + 15);
  EXPECT_EQ(f.record["metrics"]["summary"]["loss"]["last"], 0.5);
  ASSERT_EQ(f.series_files.size(), 1u);
  EXPECT_EQ(f.series_files[0].first, f.record["metrics"]["series"]["loss"].get<std::string>());
  EXPECT_TRUE(f.big_series.empty());
  EXPECT_EQ(record::GetString(f.record, "output"), record::kOutputFile);
  EXPECT_EQ(f.output_tail, "tail\n");
}

TEST_F(FinalizeTest, ANumberTakenMeanwhileIsReplacedByTheNextFreeOne) {
  auto run = AllocateRun(*project_);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->id, "p-1");
  // Another clone's p-1 arrives on the branch while this run is live.
  Json other = StartRecord(*run, "u-other");
  other["status"] = record::kFinished;
  ASSERT_TRUE(project_->Commit({{record::RecordPath("p-1", 1), record::Serialize(other)}}, "fetched").ok());

  std::vector<std::string> warnings;
  FinalizeOptions options;
  options.exit = ExitInfo{0, 0, 1.7e9};
  options.warnings = &warnings;
  auto rec = FinalizeRun(*project_, *run, StartRecord(*run, "u-mine"), options);
  ASSERT_TRUE(rec.ok()) << rec.status().message();
  EXPECT_EQ(record::GetString(*rec, "id"), "p-2");
  EXPECT_EQ((*rec)["number"], 2);
  EXPECT_EQ(record::GetString(*rec, "renumbered_from"), "p-1");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("recorded as p-2"), std::string::npos) << warnings[0];

  auto tip = project_->repo().ResolveRef(project_->runs_ref());
  ASSERT_TRUE(tip.ok() && *tip);
  auto theirs = project_->repo().ReadFileAt(**tip, record::RecordPath("p-1", 1));
  ASSERT_TRUE(theirs.ok());
  EXPECT_NE(theirs->find("u-other"), std::string::npos);
  auto mine = project_->repo().ReadFileAt(**tip, record::RecordPath("p-2", 2));
  ASSERT_TRUE(mine.ok());
  EXPECT_NE(mine->find("u-mine"), std::string::npos);
  EXPECT_FALSE(PathExists(run->dir));
  // The number the collision took is handed out once: the next run gets 3.
  auto next = AllocateRun(*project_);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->number, 3);
}

}  // namespace
}  // namespace trail
