// RunSession: runs recorded from inside the process (the Python client's engine).
#include "recording/session.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <thread>

#include "git/git_test_util.h"
#include "project/project.h"
#include "record/record.h"
#include "recording/live_run.h"

namespace trail {
namespace {

using git::testing::GitRepoFixture;

class SessionTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("train.py", "print('hi')\n");
    CommitAll("init");
    InitOptions opts;
    opts.name = "p";
    ASSERT_TRUE(Project::Init(root(), opts).ok());
  }

  SessionOptions Options() {
    SessionOptions o;
    o.cwd = root();
    o.argv = {"/usr/bin/python3", "train.py", "--lr", "0.1"};
    return o;
  }

  Json Record(const std::string& id) {
    auto p = Project::Open(root());
    EXPECT_TRUE(p.ok());
    auto run = (*p)->LoadRun(id);
    EXPECT_TRUE(run.ok()) << run.status().message();
    return run.ok() ? run->record : Json();
  }
};

TEST_F(SessionTest, StartedRunIsRecordedLikeTrailRun) {
  SessionOptions o = Options();
  o.name = "first";
  o.params = Json{{"batch", 32}};
  o.tags = Json{{"team", "fraud"}};
  auto s = RunSession::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)->id(), "p-1");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*s)->LogMetric("loss", 1.0 / (i + 1), i).ok());
  ASSERT_TRUE((*s)->LogMetric("acc", 0.5, std::nullopt).ok());
  ASSERT_TRUE((*s)->LogParams(Json{{"lr", 0.01}}).ok());
  ASSERT_TRUE((*s)->SetTags(Json{{"stage", 2}}).ok());
  ASSERT_TRUE((*s)->LogFunction("optimizer", "Adam").ok());
  Write("model.pt", "weights");
  ASSERT_TRUE((*s)->LogArtifact(root() + "/model.pt", "").ok());
  auto rec = (*s)->End("finished");
  ASSERT_TRUE(rec.ok()) << rec.status().message();

  Json r = Record("p-1");
  EXPECT_EQ(r["status"], "finished");
  EXPECT_EQ(r["name"], "first");
  EXPECT_EQ(r["params"]["lr"], 0.01);  // logged wins over the command's --lr 0.1
  EXPECT_EQ(r["params"]["batch"], 32);
  EXPECT_EQ(r["tags"]["team"], "fraud");
  EXPECT_EQ(r["tags"]["stage"], "2");
  EXPECT_EQ(r["metrics"]["summary"]["loss"]["count"], 5);
  EXPECT_EQ(r["metrics"]["summary"]["loss"]["min_step"], 4);
  EXPECT_EQ(r["metrics"]["summary"]["acc"]["last"], 0.5);
  EXPECT_TRUE(r["code"].contains("snapshot"));
  EXPECT_EQ(r["code"]["entry_point"], "train.py");
  EXPECT_TRUE(r["environment"].contains("python"));
  ASSERT_EQ(r["functions"].size(), 1u);
  EXPECT_EQ(r["functions"][0]["name"], "Adam");
  ASSERT_EQ(r["artifacts"].size(), 1u);
  EXPECT_EQ(r["artifacts"][0]["path"], "model.pt");
  EXPECT_EQ(r["artifacts"][0]["role"], "torch");
  EXPECT_EQ(r["artifacts"][0]["size"], 7);
  EXPECT_EQ(r["artifacts"][0]["oid"], "sha256:9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c");
}

TEST_F(SessionTest, BadValuesAreRefusedAtTheCall) {
  auto s = RunSession::Start(Options());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->LogMetric("", 1, std::nullopt).message(), "metric name is empty");
  EXPECT_EQ((*s)->LogMetric("step", 1, std::nullopt).message(), "metric name 'step' is reserved (pass it as step=)");
  EXPECT_EQ((*s)->LogParams(Json{{"layers", Json::array({1, 2})}}).message(),
            "param layers: expected a number, bool or string, got array");
  EXPECT_EQ((*s)->LogFunction("loss", "MSE").message(),
            "unknown function category 'loss' (expected regression loss, classification loss, neural network loss, "
            "optimizer, activation or regularization)");
  EXPECT_EQ((*s)->LogArtifact(root() + "/missing.bin", "").code(), Code::kNotFound);
  ASSERT_TRUE((*s)->End("failed").ok());
  EXPECT_EQ(Record("p-1")["status"], "failed");
  EXPECT_EQ((*s)->LogMetric("x", 1, std::nullopt).code(), Code::kFailedPrecondition);
}

// What the Python client's MLflow-named calls need: nested runs, delete_tag, artifact_path.
TEST_F(SessionTest, ParentDeletedTagsAndArtifactNames) {
  SessionOptions o = Options();
  o.parent = "p-0";
  o.tags = Json{{"keep", "1"}, {"drop", "2"}};
  auto s = RunSession::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_TRUE((*s)->SetTags(Json{{"later", "3"}}).ok());
  ASSERT_TRUE((*s)->DeleteTag("drop").ok());
  ASSERT_TRUE((*s)->DeleteTag("later").ok());
  ASSERT_TRUE((*s)->DeleteTag("never-set").ok());
  EXPECT_EQ((*s)->DeleteTag("").code(), Code::kInvalidArgument);
  Write("out/model.pt", "weights");
  ASSERT_TRUE((*s)->LogArtifact(root() + "/out/model.pt", "", "models/best/model.pt").ok());
  EXPECT_EQ((*s)->LogArtifact(root() + "/out/model.pt", "", "../model.pt").code(), Code::kInvalidArgument);
  EXPECT_EQ((*s)->LogArtifact(root() + "/out/model.pt", "", "/etc/model.pt").code(), Code::kInvalidArgument);
  EXPECT_EQ((*s)->LogMetric("loss", 1, 0, -1.0).code(), Code::kInvalidArgument);
  ASSERT_TRUE((*s)->LogMetric("loss", 1, 0, 1700000000.5).ok());
  ASSERT_TRUE((*s)->End("finished").ok());
  Json r = Record("p-1");
  EXPECT_EQ(r["parent"], "p-0");
  EXPECT_EQ(r["tags"], (Json{{"keep", "1"}}));
  ASSERT_EQ(r["artifacts"].size(), 1u);
  EXPECT_EQ(r["artifacts"][0]["path"], "models/best/model.pt");
  EXPECT_EQ(r["artifacts"][0]["role"], "torch");
}

TEST_F(SessionTest, SeedIsRecordedLastCallWinning) {
  Write("train.py", "import random\nrandom.seed(3)\n");
  CommitAll("seeded");
  auto s = RunSession::Start(Options());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)->SetSeed(-1).code(), Code::kInvalidArgument);
  EXPECT_EQ((*s)->SetSeed(4294967296).message(),
            "seed 4294967296: expected an integer from 0 to 4294967295 (the range of PYTHONHASHSEED)");
  ASSERT_TRUE((*s)->SetSeed(7).ok());
  ASSERT_TRUE((*s)->SetSeed(4294967295).ok());
  ASSERT_TRUE((*s)->End("finished").ok());
  Json r = Record("p-1");
  EXPECT_EQ(r["seed"], 4294967295);
  ASSERT_EQ(r["seeds"].size(), 1u);  // the source scan's finding, beside the seed the program set
  EXPECT_EQ(r["seeds"][0], (Json{{"call", "random.seed"}, {"value", "3"}, {"at", "train.py:2"}}));
  EXPECT_EQ((*s)->SetSeed(1).code(), Code::kFailedPrecondition);
}

TEST_F(SessionTest, ThreadsLogConcurrently) {
  auto s = RunSession::Start(Options());
  ASSERT_TRUE(s.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::string key = "m" + std::to_string(t);
      for (int i = 0; i < 2000; ++i) ASSERT_TRUE((*s)->LogMetric(key, i, i).ok());
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE((*s)->End().ok());
  Json r = Record("p-1");
  for (int t = 0; t < 8; ++t) EXPECT_EQ(r["metrics"]["summary"]["m" + std::to_string(t)]["count"], 2000);
}

TEST_F(SessionTest, KilledProcessKeepsFlushedMetricsAndIsRecoveredAsCrashed) {
  pid_t pid = fork();
  if (pid == 0) {
    auto s = RunSession::Start(Options());
    if (!s.ok()) _exit(3);
    for (int i = 0; i < 100; ++i) (void)(*s)->LogMetric("loss", i, i);
    (void)(*s)->Flush();
    (void)(*s)->LogMetric("loss", 999, 100);  // never flushed
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto p = Project::Open(root());
  ASSERT_TRUE(p.ok());
  std::vector<std::string> warnings;
  EXPECT_EQ(RecoverAbandonedRuns(**p, &warnings), std::vector<std::string>{"p-1"});
  Json r = Record("p-1");
  EXPECT_EQ(r["status"], "crashed");
  EXPECT_EQ(r["metrics"]["summary"]["loss"]["count"], 100);
}

TEST_F(SessionTest, JoinNeedsTrailRun) {
  ::unsetenv("TRAIL_RUN_ID");
  EXPECT_EQ(RunSession::Join().status().code(), Code::kNotFound);
}

TEST(ArtifactRoleTest, FromNames) {
  EXPECT_EQ(GuessArtifactRole("out/model.ckpt-100.index"), "checkpoint");
  EXPECT_EQ(GuessArtifactRole("model.ckpt.data-00000-of-00001"), "checkpoint");
  EXPECT_EQ(GuessArtifactRole("model.meta"), "meta_graph");
  EXPECT_EQ(GuessArtifactRole("export/saved_model.pb"), "saved_model");
  EXPECT_EQ(GuessArtifactRole("m.keras"), "keras");
  EXPECT_EQ(GuessArtifactRole("m.h5"), "h5");
  EXPECT_EQ(GuessArtifactRole("state.pt"), "torch");
  EXPECT_EQ(GuessArtifactRole("m.onnx"), "onnx");
  EXPECT_EQ(GuessArtifactRole("m.safetensors"), "safetensors");
  EXPECT_EQ(GuessArtifactRole("m.joblib"), "joblib");
  EXPECT_EQ(GuessArtifactRole("notes.txt"), "other");
  EXPECT_EQ(GuessArtifactRole("EXPORT/MODEL.PT"), "torch");
  EXPECT_EQ(GuessArtifactRole("Model.H5"), "h5");
  EXPECT_EQ(GuessArtifactRole("Saved_Model.pb"), "saved_model");
}

// Issue 13 (23): TF Lite models and TF1 session-bundle shards were "other".
TEST(ArtifactRole, TfliteAndSessionBundleShards) {
  EXPECT_EQ(GuessArtifactRole("export/model.tflite"), "tflite");
  EXPECT_EQ(GuessArtifactRole("MODEL.TFLITE"), "tflite");
  EXPECT_EQ(GuessArtifactRole("export/00000123/export-00000-of-00001"), "checkpoint");
  EXPECT_EQ(GuessArtifactRole("export.meta"), "meta_graph");
  EXPECT_EQ(GuessArtifactRole("saved_model/variables/variables.index"), "checkpoint");
  EXPECT_EQ(GuessArtifactRole("saved_model/variables/variables.data-00000-of-00001"), "checkpoint");
  EXPECT_EQ(GuessArtifactRole("ckpt-5.data-00001-of-00002"), "checkpoint");
  EXPECT_EQ(GuessArtifactRole("run-of-"), "other");
  EXPECT_EQ(GuessArtifactRole("report-final-of-q3"), "other");
}

}  // namespace
}  // namespace trail
