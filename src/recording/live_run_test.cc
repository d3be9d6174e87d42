// Tests of the core layer through its API: init, run numbers, finalizing and
// recovering live runs. The CLI flows are covered end to end in tests/integration.
#include "recording/live_run.h"

#include <gtest/gtest.h>

#include <thread>

#include "git/git_test_util.h"
#include "project/project.h"
#include "record/record.h"

namespace trail {
namespace {

using git::testing::GitRepoFixture;

class CoreTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("app.py", "print('hi')\n");
    CommitAll("init");
    InitOptions opts;
    opts.name = "p";
    auto r = Project::Init(root(), opts);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }

  std::unique_ptr<Project> Open() {
    auto p = Project::Open(root());
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(*p) : nullptr;
  }

  Json StartRecord(const LiveRun& run) {
    Json rec = Json::object();
    rec["trail"] = 1;
    rec["id"] = run.id;
    rec["number"] = run.number;
    rec["uid"] = "u-" + run.id;
    rec["status"] = "running";
    rec["started"] = "2026-11-26T10:00:00.000Z";
    return rec;
  }
};

TEST_F(CoreTest, InitTwiceChangesNothing) {
  std::string before = Read(".trail/config.yaml");
  InitOptions opts;
  opts.name = "other";
  auto again = Project::Init(root(), opts);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->name, "p");
  EXPECT_EQ(Read(".trail/config.yaml"), before);
}

TEST_F(CoreTest, InitRejectsBadNameAndOpenNeedsInit) {
  git::testing::TempDir other;
  InitOptions opts;
  auto outside = Project::Init(other.path(), opts);
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("--git"), std::string::npos);
  ASSERT_EQ(git::testing::Sh("git init -q " + git::testing::Quote(other.path())), 0);
  auto not_init = Project::Open(other.path());
  ASSERT_FALSE(not_init.ok());
  EXPECT_NE(not_init.status().message().find("trail init"), std::string::npos);
  opts.name = "bad name!";
  EXPECT_FALSE(Project::Init(other.path(), opts).ok());
}

TEST_F(CoreTest, ConcurrentAllocationsAreUniqueAndSequential) {
  constexpr int kThreads = 8;
  std::vector<int64_t> numbers(kThreads);
  std::vector<std::thread> threads;
  std::vector<LiveRun> runs(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto p = Project::Open(root());
      ASSERT_TRUE(p.ok());
      auto run = AllocateRun(**p);
      ASSERT_TRUE(run.ok()) << run.status().message();
      numbers[i] = run->number;
      runs[i] = std::move(*run);
    });
  }
  for (auto& t : threads) t.join();
  std::sort(numbers.begin(), numbers.end());
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(numbers[i], i + 1);
}

TEST_F(CoreTest, NumbersContinueAfterTheBranchAndNeverRepeat) {
  auto p = Open();
  auto first = AllocateRun(*p);
  ASSERT_TRUE(first.ok());
  auto done = FinalizeRun(*p, *first, StartRecord(*first), {ExitInfo{0, 0, 1.7e9}, "out\n", LiveMetrics{}, nullptr});
  ASSERT_TRUE(done.ok()) << done.status().message();
  // Losing the local counter (a fresh clone) must not reuse a number on the branch.
  ASSERT_EQ(::unlink((root() + "/.git/trail/counter").c_str()), 0);
  auto second = AllocateRun(*p);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->number, 2);
}

TEST_F(CoreTest, FinalizeRecordsMetricsAndIsIdempotent) {
  auto p = Open();
  auto run = AllocateRun(*p);
  ASSERT_TRUE(run.ok());
  Write(".trail/live/p-1/metrics.jsonl", "{\"step\": 1, \"loss\": 0.5}\nnot json\n{\"step\": 2, \"loss\": 0.25}\n");
  std::vector<std::string> warnings;
  Json start = StartRecord(*run);
  auto rec = FinalizeRun(*p, *run, start, {ExitInfo{3, 0, 1.7e9}, "", LiveMetrics{}, &warnings});
  ASSERT_TRUE(rec.ok()) << rec.status().message();
  EXPECT_EQ((*rec)["status"], "failed");
  EXPECT_EQ((*rec)["exit_code"], 3);
  EXPECT_EQ((*rec)["metrics"]["summary"]["loss"]["min"], 0.25);
  EXPECT_EQ((*rec)["metrics"]["summary"]["loss"]["count"], 2);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("line 2"), std::string::npos);
  std::string tip = git::testing::Trim(GitOut("rev-parse trail"));
  EXPECT_NE(GitOut("show trail:runs/000/p-1/metrics/loss.tsv").find("2\t"), std::string::npos);

  // A second finalize of the same run (trail died before cleaning up) adds no commit.
  ASSERT_EQ(git::testing::Sh("mkdir -p " + git::testing::Quote(root() + "/.trail/live/p-1")), 0);
  auto again = FinalizeRun(*p, *run, start, {ExitInfo{3, 0, 1.7e9}, "", LiveMetrics{}, nullptr});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(git::testing::Trim(GitOut("rev-parse trail")), tip);
}

TEST_F(CoreTest, RecoveryFinalizesAbandonedRunsAsCrashed) {
  {
    auto p = Open();
    auto run = AllocateRun(*p);
    ASSERT_TRUE(run.ok());
    Write(".trail/live/p-1/start.yaml", EmitYaml(StartRecord(*run)));
    Write(".trail/live/p-1/metrics.jsonl", "{\"step\": 0, \"acc\": 0.9}\n{\"step\": 1, \"acc\": 0.95}");
    Write(".trail/live/p-1/output.tail", "partial output");
    // The run's lock is released here, as when its trail process dies.
  }
  auto p = Open();
  EXPECT_EQ(ListLiveRuns(*p).size(), 0u);
  std::vector<std::string> warnings;
  auto recovered = RecoverAbandonedRuns(*p, &warnings);
  ASSERT_EQ(recovered, std::vector<std::string>{"p-1"});
  auto stored = p->LoadRun("p-1");
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->record["status"], "crashed");
  EXPECT_EQ(stored->record["metrics"]["summary"]["acc"]["count"], 2);  // the unterminated last line too
  EXPECT_EQ(GitOut("show trail:runs/000/p-1/output.log"), "partial output");
  EXPECT_FALSE(PathExists(root() + "/.trail/live/p-1"));
  EXPECT_TRUE(RecoverAbandonedRuns(*p, nullptr).empty());
}

TEST_F(CoreTest, LiveRunsAreListedNotRecovered) {
  auto p = Open();
  auto run = AllocateRun(*p);  // holds the lock, like a running trail
  ASSERT_TRUE(run.ok());
  Write(".trail/live/p-1/start.yaml", EmitYaml(StartRecord(*run)));
  auto other = Open();
  EXPECT_TRUE(RecoverAbandonedRuns(*other, nullptr).empty());
  auto live = ListLiveRuns(*other);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0]["id"], "p-1");
}

TEST_F(CoreTest, UpdateRunAddsOneCommit) {
  auto p = Open();
  auto run = AllocateRun(*p);
  ASSERT_TRUE(FinalizeRun(*p, *run, StartRecord(*run), {ExitInfo{0, 0, 1.7e9}, "", LiveMetrics{}, nullptr}).ok());
  std::string before = git::testing::Trim(GitOut("rev-list --count trail"));
  ASSERT_TRUE(p->UpdateRun(
                   "1",
                   [](Json& r) {
                     r["tags"] = Json{{"stage", "prod"}};
                     return Status::Ok();
                   },
                   "tag")
                  .ok());
  EXPECT_EQ(std::stoi(git::testing::Trim(GitOut("rev-list --count trail"))), std::stoi(before) + 1);
  EXPECT_EQ(p->LoadRun("p-1")->record["tags"]["stage"], "prod");
  EXPECT_FALSE(p->LoadRun("p-9").ok());
}

}  // namespace
}  // namespace trail
