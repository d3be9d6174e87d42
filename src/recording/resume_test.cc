// Resuming a run (resume.h): who may be reopened, what the resumed attempt starts from, and how
// its end joins the earlier attempts in one record that replaces the old one on the branch.
#include "recording/resume.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "git/git_test_util.h"
#include "project/project.h"
#include "record/live_files.h"
#include "record/record.h"
#include "recording/finalize.h"
#include "recording/live_run.h"

namespace trail {
namespace {

using git::testing::GitRepoFixture;

class ResumeTest : public GitRepoFixture {
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

  // Commits p-1 as a run that ended with `status` after 10 s, with a loss series at steps 0..2,
  // its output, and a stray file in its folder.
  void CommitRun1(const std::string& status) {
    Json rec = Json::object();
    rec["trail"] = 1;
    rec["id"] = "p-1";
    rec["number"] = 1;
    rec["uid"] = "u1";
    rec["status"] = status;
    rec["exit_code"] = status == record::kKilled ? 137 : 0;
    if (status == record::kKilled) rec["signal"] = 9;
    rec["started"] = "2026-11-26T10:00:00.000Z";
    rec["ended"] = "2026-11-26T10:00:10.000Z";
    rec["duration_s"] = 10.0;
    rec["params"] = Json{{"lr", 0.1}, {"batch", 32}};
    rec["tags"] = Json{{"stage", "dev"}};
    rec["data"] = Json::array({Json{{"role", "train"}, {"path", "a.csv"}}, Json{{"role", "test"}, {"path", "t.csv"}}});
    rec["metrics"] =
        Json{{"summary", Json{{"loss", Json{{"last", 0.3}}}}}, {"series", Json{{"loss", "metrics/loss.tsv"}}}};
    rec["output"] = "output.log";
    const std::string dir = record::RunDir("p-1", 1);
    ASSERT_TRUE(project_
                    ->Commit({{record::RecordPath("p-1", 1), record::Serialize(rec)},
                              {dir + "/metrics/loss.tsv",
                               "step\ttime\tvalue\n0\t1700000000.000\t0.9\n1\t1700000001.000\t0.5\n2\t1700000002."
                               "000\t0.3\n"},
                              {dir + "/output.log", "epoch 1\nepoch 2"},
                              {dir + "/metrics/old.tsv", "stale"}},
                             "trail: p-1 " + status)
                    .ok());
  }

  std::string Tip() { return **project_->repo().ResolveRef(project_->runs_ref()); }

  std::unique_ptr<Project> project_;
};

TEST_F(ResumeTest, OnlyAnEndedRunThatExistsAndIsNotLiveIsReopened) {
  auto unknown = ReopenRun(*project_, "p-4", false);
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  EXPECT_EQ(unknown.status().message(), "no run p-4 to resume");

  CommitRun1(record::kFinished);
  auto finished = ReopenRun(*project_, "p-1", false);
  EXPECT_EQ(finished.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(finished.status().message(), "p-1 finished; --force to reopen it");
  EXPECT_TRUE(project_->env().ListDir(project_->live_dir()).empty());

  auto forced = ReopenRun(*project_, "1", true);
  ASSERT_TRUE(forced.ok()) << forced.status().message();
  EXPECT_EQ(forced->run.id, "p-1");
  EXPECT_EQ(forced->run.number, 1);
  EXPECT_EQ(record::GetString(forced->previous.record, "uid"), "u1");

  // Live now (its lock is held): refused, by anyone, even with force.
  auto again = ReopenRun(*project_, "p-1", true);
  EXPECT_EQ(again.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("p-1 is running now"), std::string::npos) << again.status().message();
  // Its number is on the branch and live: a new run is numbered after it.
  auto next = AllocateRun(*project_);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->number, 2);
}

TEST_F(ResumeTest, ARecordWhoseIdDoesNotNameItsFolderIsRefused) {
  Json rec = Json{{"trail", 1}, {"id", "../../x-1"}, {"number", 1}, {"uid", "u"}, {"status", "crashed"}};
  ASSERT_TRUE(project_->Commit({{record::RecordPath("p-1", 1), record::Serialize(rec)}}, "hostile").ok());
  auto r = ReopenRun(*project_, "p-1", false);
  EXPECT_EQ(r.status().code(), Code::kCorrupt) << r.status().message();
  EXPECT_TRUE(project_->env().ListDir(project_->live_dir()).empty());
}

TEST_F(ResumeTest, TheResumedStartRecordKeepsTheRunAndTakesTheNewContext) {
  Json old =
      Json{{"id", "p-1"},
           {"number", 1},
           {"uid", "u1"},
           {"status", "killed"},
           {"exit_code", 137},
           {"signal", 9},
           {"started", "t0"},
           {"ended", "t1"},
           {"duration_s", 3.0},
           {"host", "old-host"},
           {"params", {{"lr", 0.1}, {"batch", 32}}},
           {"tags", {{"a", "1"}}},
           {"notes", "keep me"},
           {"metrics", {{"summary", Json::object()}}},
           {"output", "output.log"},
           {"data", Json::array({Json{{"role", "train"}, {"path", "a"}}, Json{{"role", "test"}, {"path", "t"}}})},
           {"artifacts", Json::array({Json{{"path", "m.pt"}}})},
           {"functions", Json::array({Json{{"category", "optimizer"}, {"name", "Adam"}, {"found", {"log_function"}}},
                                      Json{{"category", "activation"}, {"name", "relu"}, {"found", {"import"}}}})}};
  Json fresh =
      Json{{"id", "p-1"},
           {"number", 1},
           {"uid", "new"},
           {"status", "running"},
           {"started", "t9"},
           {"host", "new-host"},
           {"params", {{"lr", 0.2}}},
           {"tags", {{"b", "2"}}},
           {"data", Json::array({Json{{"role", "train"}, {"path", "b"}}})},
           {"functions", Json::array({Json{{"category", "activation"}, {"name", "tanh"}, {"found", {"import"}}}})}};
  Json rec = ResumedStartRecord(old, fresh);
  EXPECT_EQ(rec["uid"], "u1");
  EXPECT_EQ(rec["started"], "t0");
  EXPECT_EQ(rec["status"], "running");
  EXPECT_EQ(rec["host"], "new-host");
  EXPECT_EQ(rec["params"], (Json{{"lr", 0.2}, {"batch", 32}}));
  EXPECT_EQ(rec["tags"], (Json{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(rec["notes"], "keep me");
  EXPECT_EQ(rec["artifacts"].size(), 1u);
  ASSERT_EQ(rec["data"].size(), 2u);
  EXPECT_EQ(rec["data"][0]["role"], "test");
  EXPECT_EQ(rec["data"][1]["path"], "b");
  // The new scan's functions, and the one an earlier attempt logged itself.
  ASSERT_EQ(rec["functions"].size(), 2u);
  EXPECT_EQ(rec["functions"][0]["name"], "tanh");
  EXPECT_EQ(rec["functions"][1]["name"], "Adam");
  for (const char* gone : {"exit_code", "signal", "ended", "duration_s", "metrics", "output"})
    EXPECT_FALSE(rec.contains(gone)) << gone;
}

TEST_F(ResumeTest, TheNextAttemptContinuesTheMetricsAndReplacesTheRunOnTheBranch) {
  CommitRun1(record::kKilled);
  auto reopened = ReopenRun(*project_, "p-1", false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  const double attempt_started = *ParseIsoTime("2026-11-26T11:00:00.000Z");
  std::vector<std::string> warnings;
  auto last = SeedResumedRun(*project_, reopened->run, reopened->previous, attempt_started, &warnings);
  ASSERT_TRUE(last.ok()) << last.status().message();
  EXPECT_EQ(*last, 2);
  // The program continues: one step with its number, one counted on from the old count.
  auto metrics = project_->env().ReadFile(reopened->run.path(record::live::kMetricsFile));
  ASSERT_TRUE(metrics.ok());
  ASSERT_TRUE(WriteFileAtomic(reopened->run.path(record::live::kMetricsFile),
                              *metrics + "{\"step\": 3, \"loss\": 0.2}\n{\"loss\": 0.1}\n")
                  .ok());
  Json start = ResumedStartRecord(reopened->previous.record, Json{{"started", "2026-11-26T11:00:00.000Z"}});
  FinalizeOptions options;
  options.exit = ExitInfo{0, 0, *ParseIsoTime("2026-11-26T11:00:05.000Z")};
  options.output_tail = "epoch 3\n";
  options.warnings = &warnings;
  auto rec = FinalizeRun(*project_, reopened->run, start, options);
  ASSERT_TRUE(rec.ok()) << rec.status().message();

  EXPECT_EQ((*rec)["status"], "finished");
  EXPECT_EQ((*rec)["started"], "2026-11-26T10:00:00.000Z");
  EXPECT_EQ((*rec)["ended"], "2026-11-26T11:00:05.000Z");
  EXPECT_EQ((*rec)["duration_s"], 15.0);
  ASSERT_EQ((*rec)["attempts"].size(), 2u);
  EXPECT_EQ((*rec)["attempts"][0]["status"], "killed");
  EXPECT_EQ((*rec)["attempts"][0]["signal"], 9);
  EXPECT_EQ((*rec)["attempts"][1]["started"], "2026-11-26T11:00:00.000Z");
  EXPECT_EQ((*rec)["attempts"][1]["duration_s"], 5.0);
  EXPECT_EQ((*rec)["attempts"][1]["exit_code"], 0);
  EXPECT_EQ((*rec)["metrics"]["summary"]["loss"]["count"], 5);
  EXPECT_EQ((*rec)["metrics"]["summary"]["loss"]["last_step"], 4);

  const std::string dir = record::RunDir("p-1", 1);
  auto tsv = project_->repo().ReadFileAt(Tip(), dir + "/metrics/loss.tsv");
  ASSERT_TRUE(tsv.ok());
  EXPECT_NE(tsv->find("\n2\t1700000002.000\t0.3\n3\t"), std::string::npos) << *tsv;
  EXPECT_NE(tsv->find("\n4\t"), std::string::npos) << *tsv;
  auto output = project_->repo().ReadFileAt(Tip(), dir + "/output.log");
  ASSERT_TRUE(output.ok());
  EXPECT_EQ(*output, "epoch 1\nepoch 2\n--- trail: resumed 2026-11-26T11:00:00.000Z ---\nepoch 3\n");
  // The folder was replaced: the file the record no longer names is gone.
  EXPECT_EQ(project_->repo().ReadFileAt(Tip(), dir + "/metrics/old.tsv").status().code(), Code::kNotFound);
  EXPECT_FALSE(PathExists(reopened->run.dir));
  auto stored = project_->LoadRun("p-1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(AttemptCount(stored->record), 2u);
}

TEST_F(ResumeTest, CommittingTheSameAttemptTwiceCommitsOnce) {
  CommitRun1(record::kCrashed);
  auto reopened = ReopenRun(*project_, "p-1", false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  ASSERT_TRUE(SeedResumedRun(*project_, reopened->run, reopened->previous, 1.8e9, nullptr).ok());
  Json start = ResumedStartRecord(reopened->previous.record, Json::object());
  FinalizeOptions options;
  options.exit = ExitInfo{1, 0, 1.8e9 + 1};
  FinishedRun finished = CollectRun(*project_, reopened->run, start, options);
  ASSERT_TRUE(CommitRun(*project_, reopened->run, finished, nullptr).ok());
  const std::string tip = Tip();
  // Its recorder died after the commit: recovery collects and commits it again, a no-op.
  FinishedRun again = CollectRun(*project_, reopened->run, start, options);
  ASSERT_TRUE(CommitRun(*project_, reopened->run, again, nullptr).ok());
  EXPECT_EQ(Tip(), tip);
}

}  // namespace
}  // namespace trail
