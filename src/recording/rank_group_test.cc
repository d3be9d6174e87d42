// The pieces of multi-process runs that need no processes: which group a process is a rank of,
// and how the other ranks' metrics files become series. The flows (ranks meeting, dying, never
// arriving) are in tests/integration/test_ranks.py.
#include "recording/rank_group.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>

#include "base/files.h"

namespace trail {
namespace {

StatusOr<std::optional<RankGroup>> Detect(const std::map<std::string, std::string>& vars,
                                          const std::string& group = "") {
  return DetectRankGroup(group, [&vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(RankGroup, NoLauncherNoGroup) {
  auto g = Detect({});
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->has_value());
  // A world of one is one process.
  g = Detect({{"RANK", "0"}, {"WORLD_SIZE", "1"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}});
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->has_value());
  // A Slurm batch script (no step) is one process, whatever its task count.
  g = Detect({{"SLURM_JOB_ID", "7"}, {"SLURM_NTASKS", "4"}, {"SLURM_PROCID", "0"}});
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->has_value());
}

TEST(RankGroup, KeysInOrderOfPrecedence) {
  std::map<std::string, std::string> vars = {
      {"RANK", "2"},          {"WORLD_SIZE", "4"},    {"MASTER_ADDR", "node1"},     {"MASTER_PORT", "29500"},
      {"SLURM_JOB_ID", "77"}, {"SLURM_STEP_ID", "3"}, {"TORCHELASTIC_RUN_ID", "r9"}};
  auto g = Detect(vars, "mine");
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ((*g)->key, "mine");
  EXPECT_EQ((*g)->launcher, "explicit");
  EXPECT_EQ((*g)->rank, 2);
  EXPECT_EQ((*g)->world_size, 4);
  vars["TRAIL_RUN_GROUP"] = "from-env";
  EXPECT_EQ((*Detect(vars))->key, "from-env");
  vars.erase("TRAIL_RUN_GROUP");
  EXPECT_EQ((*Detect(vars))->key, "torchrun:r9");
  vars["TORCHELASTIC_RUN_ID"] = "none";  // torchrun's default for a standalone job: no key
  EXPECT_EQ((*Detect(vars))->key, "slurm:77.3");
  vars.erase("SLURM_JOB_ID");
  EXPECT_EQ((*Detect(vars))->key, "env:node1:29500");
  EXPECT_EQ((*Detect(vars))->timeout_s, 600);
  vars["TRAIL_RANK_TIMEOUT"] = "1.5";
  EXPECT_EQ((*Detect(vars))->timeout_s, 1.5);
}

TEST(RankGroup, SrunTasks) {
  auto g = Detect({{"SLURM_PROCID", "1"},
                   {"SLURM_NTASKS", "8"},
                   {"SLURM_STEP_NUM_TASKS", "2"},
                   {"SLURM_JOB_ID", "5"},
                   {"SLURM_STEP_ID", "0"}});
  ASSERT_TRUE(g.ok() && g->has_value());
  EXPECT_EQ((*g)->rank, 1);
  EXPECT_EQ((*g)->world_size, 2);  // the step's tasks, not the job's
  EXPECT_EQ((*g)->key, "slurm:5.0");
  EXPECT_EQ((*g)->launcher, "slurm");
}

TEST(RankGroup, BadVariablesNameTheProblem) {
  const std::map<std::string, std::string> where = {{"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}};
  auto with = [&where](std::map<std::string, std::string> v) {
    v.insert(where.begin(), where.end());
    return v;
  };
  EXPECT_EQ(Detect(with({{"RANK", "1"}})).status().message(),
            "RANK is set but WORLD_SIZE is not: a rank needs both (docs/distributed.md)");
  EXPECT_EQ(Detect(with({{"RANK", "2"}, {"WORLD_SIZE", "2"}})).status().message(), "RANK=2 is not below WORLD_SIZE=2");
  EXPECT_EQ(Detect(with({{"RANK", "-1"}, {"WORLD_SIZE", "2"}})).status().message(),
            "RANK=-1 is not below WORLD_SIZE=2");
  EXPECT_EQ(Detect(with({{"RANK", "0"}, {"WORLD_SIZE", "1e9"}})).status().message(),
            "WORLD_SIZE=1e9: expected an integer");
  EXPECT_EQ(Detect(with({{"RANK", "0"}, {"WORLD_SIZE", "100000"}})).status().message(),
            "WORLD_SIZE=100000: expected 1 to 65536");
  EXPECT_NE(Detect({{"RANK", "0"}, {"WORLD_SIZE", "2"}}).status().message().find("give --group KEY"),
            std::string::npos);
  EXPECT_EQ(Detect({}, "g").status().message(),
            "--group g: RANK and WORLD_SIZE are not set, so this process is no rank");
  EXPECT_FALSE(Detect(with({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"TRAIL_RANK_TIMEOUT", "nan"}})).ok());
}

TEST(RankGroup, OtherRanksMetricsArePrefixed) {
  char tmpl[] = "/tmp/rank_group_test.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  LiveRun run;
  run.dir = tmpl;
  ASSERT_TRUE(
      WriteFileAtomic(run.path("rank1.metrics.jsonl"), "{\"step\": 0, \"loss\": 5}\n{\"step\": 1, \"loss\": 4}\n")
          .ok());
  ASSERT_TRUE(WriteFileAtomic(run.path("rank12.metrics.jsonl"), "not json\n{\"acc\": 1}\n").ok());
  // Not a rank's file: rank 0 writes metrics.jsonl; odd names are ignored.
  ASSERT_TRUE(WriteFileAtomic(run.path("rank0.metrics.jsonl"), "{\"x\": 1}\n").ok());
  ASSERT_TRUE(WriteFileAtomic(run.path("rank01.metrics.jsonl"), "{\"x\": 1}\n").ok());
  ASSERT_TRUE(WriteFileAtomic(run.path("rank1x.metrics.jsonl"), "{\"x\": 1}\n").ok());
  metrics::MetricSet set;
  set.Add("loss", 0, 1.0, 9);
  std::vector<std::string> warnings;
  AddRankMetrics(run, 100.0, set, &warnings);
  EXPECT_EQ(set.Keys(), (std::vector<std::string>{"loss", "rank1/loss", "rank12/acc"}));
  ASSERT_EQ(set.Series("rank1/loss")->size(), 2u);
  EXPECT_EQ(set.Series("rank1/loss")->back().value, 4);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("rank 12 TRAIL_METRICS line 1", 0), 0u) << warnings[0];
  EXPECT_TRUE(RemoveAll(tmpl).ok());
}

// Every other rank has left its exit record: WaitForRanks decides at once, without processes.
RanksOutcome OutcomeOf(const ExitInfo& own, const std::vector<ExitInfo>& others) {
  char tmpl[] = "/tmp/rank_group_test.XXXXXX";
  EXPECT_NE(::mkdtemp(tmpl), nullptr);
  LiveRun run;
  run.dir = tmpl;
  for (size_t r = 0; r < others.size(); ++r) {
    const ExitInfo& e = others[r];
    EXPECT_TRUE(WriteFileAtomic(run.path(("rank" + std::to_string(r + 1) + ".exit.json").c_str()),
                                Json{{"exit_code", e.exit_code}, {"signal", e.signal}, {"ended", e.ended}}.dump())
                    .ok());
  }
  RankGroup group{"k", "slurm", 0, static_cast<int>(others.size()) + 1, 600};
  RanksOutcome out = WaitForRanks(run, group, own, 50.0, true, [] {});
  EXPECT_TRUE(RemoveAll(tmpl).ok());
  return out;
}

TEST(RankGroup, TheFirstRankToFailNamesTheFailure) {
  // Rank 0 finished: the run fails with the failed rank's code.
  RanksOutcome out = OutcomeOf({0, 0, 100}, {{0, 0, 99}, {0, 9, 98}});
  EXPECT_EQ(out.status, (std::vector<std::string>{"finished", "finished", "killed"}));
  EXPECT_EQ(out.failed, "rank 2 was killed by signal 9");
  ASSERT_TRUE(out.run_exit);
  EXPECT_EQ(out.run_exit->exit_code, 137);
  EXPECT_EQ(out.run_exit->signal, 0);

  // srun --kill-on-bad-exit: rank 1 exited 4, then Slurm ended the step and killed rank 0. The
  // run failed because of rank 1, with its code.
  out = OutcomeOf({0, 15, 101}, {{4, 0, 100}});
  EXPECT_EQ(out.status, (std::vector<std::string>{"killed", "failed"}));
  EXPECT_EQ(out.failed, "rank 1 exited with code 4");
  ASSERT_TRUE(out.run_exit);
  EXPECT_EQ(out.run_exit->exit_code, 4);

  // Rank 0 failed first: the run is rank 0's.
  out = OutcomeOf({2, 0, 100}, {{4, 0, 101}});
  EXPECT_EQ(out.failed, "rank 0 exited with code 2");
  EXPECT_FALSE(out.run_exit);

  // The job was cancelled (every rank signalled, rank 1 a moment before rank 0): the run stays
  // rank 0's, killed; the failure names the first rank.
  out = OutcomeOf({0, 15, 100.2}, {{0, 15, 100.1}});
  EXPECT_EQ(out.failed, "rank 1 was killed by signal 15");
  EXPECT_FALSE(out.run_exit);

  out = OutcomeOf({0, 0, 100}, {{0, 0, 100}});
  EXPECT_EQ(out.status, (std::vector<std::string>{"finished", "finished"}));
  EXPECT_EQ(out.failed, "");
  EXPECT_FALSE(out.run_exit);
}

TEST(RankGroup, OneRanksOutcomeInTheRecord) {
  Json rec = {{"ranks", RanksStartBlock(RankGroup{"k", "env", 0, 3, 600})}};
  RanksOutcome outcome;
  outcome.status = {"finished", "killed", "missing"};
  outcome.failed = "rank 1 was killed by signal 9";
  AddRanksOutcome(rec, outcome);
  EXPECT_EQ(rec["ranks"], (Json{{"world_size", 3},
                                {"group", "k"},
                                {"launcher", "env"},
                                {"status", {"finished", "killed", "missing"}},
                                {"failed", "rank 1 was killed by signal 9"}}));
}

}  // namespace
}  // namespace trail
