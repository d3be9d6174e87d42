// Recording's crash paths, proved call by call (leveldb's fault-injection style): a recording
// runs over a FaultInjectionEnv that dies at call N, for every N the clean recording makes;
// then the power goes (unsynced data dropped), the next command opens the project with the
// real Env and recovers, and nothing that had been made durable is lost, nothing half-written
// is visible and no run number is used twice. The same with a full disk at call N.
#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <set>

#include "base/clock.h"
#include "base/fault_injection_env.h"
#include "git/git_test_util.h"
#include "project/project.h"
#include "record/live_files.h"
#include "record/record.h"
#include "recording/live_run.h"

namespace trail {
namespace {

using git::testing::GitRepoFixture;

constexpr int kBatches = 3;
constexpr int kPointsPerBatch = 2;
constexpr double kStarted = 1.8e9;

// What one recording got to before it died.
struct Outcome {
  Status status = Status::Ok();
  int64_t number = 0;      // the number allocation handed out; 0 if none
  bool started = false;    // start.yaml written (durably: WriteFileAtomic syncs)
  int durable_points = 0;  // values a Sync reported durable
  int written_points = 0;  // values appended
  bool params_durable = false;
};

class RecordingCrashTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("app.py", "print('hi')\n");
    CommitAll("init");
    InitOptions opts;
    opts.name = "p";
    ASSERT_TRUE(Project::Init(root(), opts).ok());
  }

  // The steps of a session (session.cc) and of `trail run`, over `env`: allocate, write
  // start.yaml, append values and sync them in batches (a flush that returned ok), log a
  // param, write the exit record, finalize. Stops at the first error, as the process would.
  Outcome Record(Env& env, const std::string& uid) {
    Outcome o;
    auto fail = [&](Status s) {
      o.status = std::move(s);
      return o;
    };
    auto project = Project::Open(root(), &env);
    if (!project.ok()) return fail(project.status());
    Project& p = **project;
    auto run = AllocateRun(p);
    if (!run.ok()) return fail(run.status());
    o.number = run->number;
    Json start = Json::object();
    start["trail"] = 1;
    start["id"] = run->id;
    start["number"] = run->number;
    start["uid"] = uid;
    start["status"] = "running";
    start["started"] = FormatIsoTime(env.NowUnixSeconds());
    if (Status s = WriteFileAtomic(env, run->path("start.yaml"), EmitYaml(start)); !s.ok()) return fail(s);
    o.started = true;
    auto metrics = OpenLiveFile(*run, record::live::kMetricsFile);
    if (!metrics.ok()) return fail(metrics.status());
    auto notes = OpenLiveFile(*run, record::live::kAnnotationsFile);
    if (!notes.ok()) return fail(notes.status());
    for (int b = 0; b < kBatches; ++b) {
      std::string lines;
      for (int i = 0; i < kPointsPerBatch; ++i) {
        const int step = b * kPointsPerBatch + i;
        lines += "{\"step\": " + std::to_string(step) + ", \"loss\": " + std::to_string(1.0 / (step + 1)) + "}\n";
      }
      if (Status s = (*metrics)->Append(lines); !s.ok()) return fail(s);
      o.written_points += kPointsPerBatch;
      if (Status s = (*metrics)->Sync(); !s.ok()) return fail(s);
      o.durable_points = o.written_points;
    }
    if (Status s = (*notes)->Append("{\"params\": {\"lr\": 0.1}}\n"); !s.ok()) return fail(s);
    if (Status s = (*notes)->Sync(); !s.ok()) return fail(s);
    o.params_durable = true;
    if (Status s = (*metrics)->Close(); !s.ok()) return fail(s);
    if (Status s = (*notes)->Close(); !s.ok()) return fail(s);
    if (Status s = WriteExitRecord(*run, ExitInfo{0, 0, kStarted + 10}); !s.ok()) return fail(s);
    auto rec = FinalizeRun(p, *run, start, {ExitInfo{0, 0, kStarted + 10}, "", LiveMetrics{}, nullptr});
    if (!rec.ok()) return fail(rec.status());
    return o;
  }

  // The next trail command: the real Env, recovery of what the dead one left.
  std::unique_ptr<Project> NextCommand() {
    auto p = Project::Open(root());
    EXPECT_TRUE(p.ok()) << p.status().message();
    std::vector<std::string> warnings;
    RecoverAbandonedRuns(**p, &warnings);
    EXPECT_TRUE(ListLiveRuns(**p).empty());
    // No run folder is left behind that no command would ever finalize or remove.
    for (const std::string& name : Env::Default()->ListDir((*p)->live_dir())) {
      EXPECT_EQ(name.rfind("p-", 0), std::string::npos) << name << " left in the live folder";
    }
    return std::move(*p);
  }

  // uid -> records of it on the runs branch.
  std::map<std::string, std::vector<Json>> RecordsOnBranch(Project& p) {
    std::map<std::string, std::vector<Json>> out;
    auto tip = p.repo().ResolveRef(p.runs_ref());
    if (!tip.ok() || !*tip) return out;
    auto shards = p.repo().ListDir(**tip, record::kRunsDir);
    if (!shards.ok()) return out;
    for (const auto& shard : *shards) {
      auto runs = p.repo().ListDir(**tip, std::string(record::kRunsDir) + "/" + shard.name);
      if (!runs.ok()) continue;
      for (const auto& r : *runs) {
        const std::string path = std::string(record::kRunsDir) + "/" + shard.name + "/" + r.name + "/run.yaml";
        auto text = p.repo().ReadFileAt(**tip, path);
        EXPECT_TRUE(text.ok()) << path;  // a run folder always has its whole record
        if (!text.ok()) continue;
        auto rec = record::Parse(*text, path);
        EXPECT_TRUE(rec.ok()) << path;
        if (rec.ok()) out[record::GetString(*rec, "uid")].push_back(*rec);
      }
    }
    return out;
  }

  // What the record of `uid` must hold after its recording ended as `o` and was recovered.
  void ExpectNothingLost(Project& p, const std::string& uid, const Outcome& o, const std::string& where) {
    auto records = RecordsOnBranch(p);
    auto it = records.find(uid);
    if (!o.started) {
      // Died before the run began: it may be recorded (start.yaml reached the disk although its
      // writer heard of an error) or not, but never twice.
      if (it != records.end()) {
        EXPECT_EQ(it->second.size(), 1u) << where;
      }
      return;
    }
    ASSERT_NE(it, records.end()) << where << ": a started run is missing";
    ASSERT_EQ(it->second.size(), 1u) << where << ": recorded twice";
    const Json& rec = it->second[0];
    EXPECT_EQ(rec["number"], o.number) << where;
    int count = 0;
    if (rec.contains("metrics") && rec["metrics"].contains("summary") && rec["metrics"]["summary"].contains("loss"))
      count = rec["metrics"]["summary"]["loss"]["count"].get<int>();
    EXPECT_GE(count, o.durable_points) << where << ": durable values lost";
    EXPECT_LE(count, o.written_points) << where << ": values nobody wrote";
    if (o.params_durable) {
      EXPECT_EQ(rec["params"]["lr"], 0.1) << where;
    }
  }
};

TEST_F(RecordingCrashTest, DeathAtEveryCallThenPowerLossLosesNothingDurable) {
  uint64_t clean_calls = 0;
  {
    FaultInjectionEnv env(Env::Default());
    env.SetTime(kStarted);
    Outcome o = Record(env, "clean");
    ASSERT_TRUE(o.status.ok()) << o.status.message();
    clean_calls = env.calls();
  }
  ASSERT_GT(clean_calls, 20u);
  std::set<int64_t> numbers;
  std::map<std::string, Outcome> outcomes;
  for (uint64_t n = 0; n < clean_calls; ++n) {
    const std::string uid = "death-" + std::to_string(n);
    const std::string where = "death after call " + std::to_string(n);
    Outcome o;
    {
      FaultInjectionEnv env(Env::Default());
      env.SetTime(kStarted);
      env.FailAfter(n);
      // Ok only when the death came after the record was safe on the branch (tidying up the
      // live folder is best effort).
      o = Record(env, uid);
      // The process is gone: its locks go with it (scope), then the power.
      ASSERT_TRUE(env.DropUnsyncedData().ok()) << where;
    }
    std::unique_ptr<Project> p = NextCommand();
    ExpectNothingLost(*p, uid, o, where);
    outcomes[uid] = o;
  }
  // Every run recorded once under its own number, and numbers never reused.
  auto p = NextCommand();
  auto records = RecordsOnBranch(*p);
  for (const auto& [uid, recs] : records) {
    ASSERT_EQ(recs.size(), 1u) << uid;
    EXPECT_TRUE(numbers.insert(recs[0]["number"].get<int64_t>()).second) << uid << " reuses a number";
  }
  for (const auto& [uid, o] : outcomes) {
    if (o.started) {
      EXPECT_TRUE(records.count(uid)) << uid;
    }
  }
  // And the next recording still works.
  Outcome after = Record(*Env::Default(), "after");
  ASSERT_TRUE(after.status.ok()) << after.status.message();
  EXPECT_FALSE(numbers.count(after.number));
}

TEST_F(RecordingCrashTest, FullDiskAtEveryWriteIsAClearErrorAndLosesNothing) {
  uint64_t clean_calls = 0;
  {
    FaultInjectionEnv env(Env::Default());
    ASSERT_TRUE(Record(env, "clean").status.ok());
    clean_calls = env.calls();
  }
  std::set<std::string> recorded = {"clean"};
  for (uint64_t n = 1; n <= clean_calls; ++n) {
    const std::string uid = "full-" + std::to_string(n);
    const std::string where = "ENOSPC at call " + std::to_string(n);
    Outcome o;
    {
      FaultInjectionEnv env(Env::Default());
      env.FailMatching(
          [n](const FaultInjectionEnv::Call& c) {
            return c.index == n && c.op != "read" && c.op != "size" && c.op != "mtime";
          },
          ENOSPC);
      o = Record(env, uid);
      if (!o.status.ok()) {
        EXPECT_NE(o.status.message().find("No space left on device"), std::string::npos)
            << where << ": " << o.status.message();
      }
    }
    std::unique_ptr<Project> p = NextCommand();
    if (o.status.ok()) {
      // A failure the recording survives (a tidy-up, a best-effort file): all of it is there.
      o.durable_points = o.written_points;
    }
    ExpectNothingLost(*p, uid, o, where);
    if (o.started) recorded.insert(uid);
    auto records = RecordsOnBranch(*p);
    for (const std::string& earlier : recorded) EXPECT_EQ(records.count(earlier), 1u) << where << ": " << earlier;
  }
  Outcome after = Record(*Env::Default(), "after");
  ASSERT_TRUE(after.status.ok()) << after.status.message();
}

}  // namespace
}  // namespace trail
