// cluster.locks: node-local: runs parked in their live folder by a job, committed by the login node.
#include "recording/ended_run.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "git/git_test_util.h"
#include "project/project.h"
#include "record/live_files.h"
#include "recording/live_run.h"

namespace trail {
namespace {

class EndedRunTest : public git::testing::GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    ::unsetenv("SLURM_JOB_ID");
    ::unsetenv(kClusterLocksVariable);
    Write("app.py", "print('hi')\n");
    CommitAll("init");
    InitOptions opts;
    opts.name = "p";
    ASSERT_TRUE(Project::Init(root(), opts).ok());
    Write(".trail/config.yaml", Read(".trail/config.yaml") + "cluster: {locks: node-local}\n");
  }
  void TearDown() override { ::unsetenv("SLURM_JOB_ID"); }

  bool HasBranch() const { return Git("rev-parse --verify -q trail") == 0; }

  std::unique_ptr<Project> Open() {
    auto p = Project::Open(root());
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(*p) : nullptr;
  }

  // A run as a job's trail run leaves it: started on another host, parked, its lock released.
  void ParkOne(const std::string& host) {
    auto p = Open();
    ASSERT_TRUE(p->node_local_locks());
    auto run = AllocateRun(*p);
    ASSERT_TRUE(run.ok());
    Json start = Json::object();
    start["trail"] = 1;
    start["id"] = run->id;
    start["number"] = run->number;
    start["uid"] = "u-" + run->id;
    start["status"] = "running";
    start["started"] = "2026-11-26T10:00:00.000Z";
    start["host"] = host;
    Write(".trail/live/p-1/start.yaml", EmitYaml(start));
    Write(".trail/live/p-1/metrics.jsonl", "{\"step\": 0, \"loss\": 0.5}\n{\"step\": 1, \"loss\": 0.25}\n");
    auto parked = ParkRun(*p, *run, start, {ExitInfo{0, 0, 1.8e9}, "the output", LiveMetrics{}, nullptr});
    ASSERT_TRUE(parked.ok()) << parked.status().message();
    EXPECT_EQ((*parked)["status"], "finished");
  }
};

TEST_F(EndedRunTest, AParkedRunIsCommittedByTheNextCommandOutsideTheJob) {
  ParkOne("node-b");
  EXPECT_TRUE(IsEndedFolder(*Env::Default(), root() + "/.trail/live/p-1"));
  ::setenv("SLURM_JOB_ID", "12", 1);  // another job's trail on a compute node commits nothing
  auto in_job = Open();
  EXPECT_TRUE(RecordsInNodeLocalJob(*in_job));
  EXPECT_TRUE(RecoverAbandonedRuns(*in_job, nullptr).empty());
  EXPECT_FALSE(HasBranch());
  ::unsetenv("SLURM_JOB_ID");
  auto p = Open();
  EXPECT_FALSE(RecordsInNodeLocalJob(*p));
  std::vector<std::string> warnings;
  EXPECT_EQ(RecoverAbandonedRuns(*p, &warnings), std::vector<std::string>{"p-1"});
  auto stored = p->LoadRun("p-1");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->record["status"], "finished");
  EXPECT_EQ(stored->record["metrics"]["summary"]["loss"]["count"], 2);
  EXPECT_EQ(GitOut("show trail:runs/000/p-1/metrics/loss.tsv").empty(), false);
  EXPECT_EQ(GitOut("show trail:runs/000/p-1/output.log"), "the output");
  EXPECT_FALSE(PathExists(root() + "/.trail/live/p-1"));
}

TEST_F(EndedRunTest, ARunOfAnotherHostWithoutAJobIsListedNotRecovered) {
  {
    auto p = Open();
    auto run = AllocateRun(*p);
    ASSERT_TRUE(run.ok());
    Write(".trail/live/p-1/start.yaml", "trail: 1\nid: p-1\nnumber: 1\nuid: u1\nstatus: running\nhost: node-b\n");
  }  // its lock is free here, as a run's on another node is
  auto p = Open();
  EXPECT_TRUE(RecoverAbandonedRuns(*p, nullptr).empty());
  ASSERT_EQ(ListLiveRuns(*p).size(), 1u);
  EXPECT_TRUE(PathExists(root() + "/.trail/live/p-1/start.yaml"));
}

TEST_F(EndedRunTest, AnEndedFileIsReadAsUntrusted) {
  ParkOne("node-b");
  const std::string ended = Read(".trail/live/p-1/ended.yaml");
  auto p = Open();
  LiveRun run;
  run.id = "p-1";
  run.number = 1;
  run.dir = root() + "/.trail/live/p-1";
  Json bad = *ParseYaml(ended, "ended");
  bad["files"] = Json::array({Json{{"path", "metrics/../../run.yaml"}, {"content", "x"}}});
  Write(".trail/live/p-1/ended.yaml", EmitYaml(bad));
  auto escaped = CommitEndedRun(*p, run, nullptr);
  ASSERT_FALSE(escaped.ok());
  EXPECT_EQ(escaped.status().code(), Code::kCorrupt);
  EXPECT_NE(escaped.status().message().find("is not a metric series of the run"), std::string::npos);
  bad = *ParseYaml(ended, "ended");
  bad["record"]["id"] = "p-2";
  Write(".trail/live/p-1/ended.yaml", EmitYaml(bad));
  auto other = CommitEndedRun(*p, run, nullptr);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("not the record of p-1"), std::string::npos);
  EXPECT_FALSE(HasBranch());
  EXPECT_TRUE(PathExists(run.dir));
}

}  // namespace
}  // namespace trail
