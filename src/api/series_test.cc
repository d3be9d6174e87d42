// The series API as an outside program uses it (trail/* headers only): real runs recorded in a
// throwaway repository, their series loaded, cached and downsampled, a live run watched.
#include "trail/series.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "test_repo.h"
#include "trail/project.h"
#include "trail/recording.h"
#include "trail/runs.h"

namespace trail::api {
namespace {

class Quiet : public RunObserver {
 public:
  void Started(const std::string&) override {}
  void Finished(const Json&) override {}
  void Warning(const std::string&) override {}
  void Error(const std::string& message) override { errors.push_back(message); }
  std::vector<std::string> errors;
};

class SeriesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::IsolateGit();
    root_ = testing::MakeTempDir("trail-series-test");
    ASSERT_EQ(Sh(std::string(testing::kGitInit) + " && echo x > f && git add -A && git commit -q -m init"), 0);
    InitOptions init;
    init.name = "demo";
    ASSERT_TRUE(InitProject(root_, init).ok());
    auto project = Project::Open(root_, nullptr);
    ASSERT_TRUE(project.ok()) << project.status().message();
    project_ = std::move(*project);
  }
  void TearDown() override {
    project_.reset();
    std::filesystem::remove_all(root_);
  }

  int Sh(const std::string& cmd) const { return testing::ShellIn(root_, cmd); }
  // Records `script` (sh) as a run; returns its id.
  std::string Record(const std::string& script) {
    RunRequest request;
    request.argv = {"/bin/sh", "-c", script};
    Quiet observer;
    auto outcome = RecordRun(*project_, request, observer);
    EXPECT_TRUE(outcome.ok()) << outcome.status().message();
    return outcome.ok() ? outcome->id : "";
  }

  std::string root_;
  std::unique_ptr<Project> project_;
};

TEST_F(SeriesApiTest, LoadCachedAndDownsampled) {
  std::string id = Record(
      "for i in 0 1 2 3 4 5 6 7 8 9; do echo \"{\\\"step\\\": $i, \\\"loss\\\": $i.5}\" >> \"$TRAIL_METRICS\"; done;"
      "echo '{\"step\": 10, \"loss\": NaN}' >> \"$TRAIL_METRICS\"");
  auto run = LoadRun(*project_, id);
  ASSERT_TRUE(run.ok()) << run.status().message();
  auto series = LoadSeries(*project_, *run, "loss");
  ASSERT_TRUE(series.ok()) << series.status().message();
  const Series& s = **series;
  ASSERT_EQ(s.step.size(), 11u);
  EXPECT_EQ(s.step[3], 3);
  EXPECT_EQ(s.value[3], 3.5);
  EXPECT_TRUE(std::isnan(s.value[10]));
  EXPECT_GT(s.time[0], 1.6e9);

  // The same content again is the same parsed object (a cache hit), through a second load of the run.
  auto again = LoadSeries(*project_, *LoadRun(*project_, "1"), "loss");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), series->get());

  auto missing = LoadSeries(*project_, *run, "acc");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(), id + " has no series acc");

  DownsampleRequest request;
  request.points = 4;
  Downsampled d = Downsample(s, request);
  EXPECT_TRUE(d.downsampled);
  EXPECT_EQ(d.total, 11);
  EXPECT_EQ(d.in_range, 11);
  ASSERT_TRUE(d.min && d.max);
  EXPECT_EQ(d.min->y, 0.5);
  EXPECT_EQ(d.max->y, 9.5);
  EXPECT_EQ(d.x_min, 0);
  EXPECT_EQ(d.x_max, 10);
  request.points = 1000;
  request.from = 2;
  request.to = 4;
  d = Downsample(s, request);
  EXPECT_FALSE(d.downsampled);
  EXPECT_EQ(d.x, (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(d.y, (std::vector<double>{2.5, 3.5, 4.5}));
}

// A series of 30,000 points lives in the object store ({oid, size} in the record).
TEST_F(SeriesApiTest, LongSeriesFromTheStore) {
  std::string id = Record(
      "i=0; while [ $i -lt 30000 ]; do echo \"{\\\"step\\\": $i, \\\"loss\\\": $i}\"; i=$((i+1)); done"
      " >> \"$TRAIL_METRICS\"");
  auto run = LoadRun(*project_, id);
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run->record["metrics"]["series"]["loss"].is_object());  // in the store
  auto series = LoadSeries(*project_, *run, "loss");
  ASSERT_TRUE(series.ok()) << series.status().message();
  ASSERT_EQ((*series)->value.size(), 30000u);
  EXPECT_EQ((*series)->value[29999], 29999);
  Downsampled d = Downsample(**series, {});
  EXPECT_TRUE(d.downsampled);
  EXPECT_LE(d.x.size(), 1000u);
  EXPECT_EQ(d.max->y, 29999);
  EXPECT_EQ(d.max->x, 29999);
}

// A series file edited on the branch (another clone's record) that does not parse names the
// run, the series and the line.
TEST_F(SeriesApiTest, MalformedSeriesIsCorruptNamingRunSeriesAndLine) {
  std::string id = Record("echo '{\"step\": 0, \"loss\": 1}' >> \"$TRAIL_METRICS\"");
  auto run = LoadRun(*project_, id);
  ASSERT_TRUE(run.ok());
  std::string file = run->dir + "/" + run->record["metrics"]["series"]["loss"].get<std::string>();
  ASSERT_EQ(Sh("git checkout -q trail && printf 'step\\ttime\\tvalue\\n0\\t1.000\\t1\\n1\\t2.000\\toops\\n' > " + file +
               " && git commit -q -am corrupt && git checkout -q main"),
            0);
  auto edited = LoadRun(*project_, id);
  ASSERT_TRUE(edited.ok());
  auto series = LoadSeries(*project_, *edited, "loss");
  ASSERT_FALSE(series.ok());
  EXPECT_EQ(series.status().code(), Code::kCorrupt);
  EXPECT_EQ(series.status().message(), id + ": series loss, line 3: bad value");

  // A record naming a file outside its folder is refused before anything is read.
  StoredRun forged = *edited;
  forged.record["metrics"]["series"]["loss"] = "../../../.trail/config.yaml";
  EXPECT_FALSE(LoadSeries(*project_, forged, "loss").ok());
}

// A run in progress: listed by ReadProjectState, its start record and points readable while it
// runs, every point so far from a zero cursor, then only the new ones; once it has finished the
// watcher is told so and the branch tip has moved.
TEST_F(SeriesApiTest, LiveRunWatched) {
  auto before = ReadProjectState(*project_);
  ASSERT_TRUE(before.ok()) << before.status().message();
  EXPECT_TRUE(before->live.empty());
  std::string go = root_ + "/go", done = root_ + "/done";
  std::atomic<bool> finished{false};
  std::thread recorder([&] {
    auto project = Project::Open(root_, nullptr);
    ASSERT_TRUE(project.ok());
    RunRequest request;
    request.argv = {
        "/bin/sh", "-c",
        "echo '{\"step\": 0, \"loss\": 1}' >> \"$TRAIL_METRICS\"; echo '{\"loss\": 2}' >> \"$TRAIL_METRICS\";"
        "while [ ! -f '" +
            go +
            "' ]; do sleep 0.02; done;"
            "echo '{\"loss\": 3}' >> \"$TRAIL_METRICS\";"
            "while [ ! -f '" +
            done + "' ]; do sleep 0.02; done"};
    Quiet observer;
    auto outcome = RecordRun(**project, request, observer);
    EXPECT_TRUE(outcome.ok()) << outcome.status().message();
    finished = true;
  });
  auto wait_for = [](const std::function<bool()>& cond) {
    for (int i = 0; i < 1000 && !cond(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return cond();
  };
  std::string id;
  ASSERT_TRUE(wait_for([&] {
    auto state = ReadProjectState(*project_);
    if (state.ok() && !state->live.empty()) id = state->live[0];
    return !id.empty();
  }));
  EXPECT_EQ(id, "demo-1");
  ASSERT_TRUE(wait_for([&] { return LoadLiveRun(*project_, id).ok(); }));
  EXPECT_EQ((*LoadLiveRun(*project_, "1"))["id"], "demo-1");

  LiveCursor cursor;
  std::vector<int64_t> steps;
  ASSERT_TRUE(wait_for([&] {
    auto points = ReadLivePoints(*project_, id, &cursor);
    EXPECT_TRUE(points.ok()) << points.status().message();
    if (points.ok())
      for (auto s : points->metrics["loss"].step) steps.push_back(s);
    return steps.size() >= 2;
  }));
  EXPECT_EQ(steps, (std::vector<int64_t>{0, 1}));
  std::ofstream(go) << "";
  ASSERT_TRUE(wait_for([&] {
    auto points = ReadLivePoints(*project_, id, &cursor);
    if (points.ok())
      for (auto s : points->metrics["loss"].step) steps.push_back(s);
    return steps.size() >= 3;
  }));
  EXPECT_EQ(steps, (std::vector<int64_t>{0, 1, 2}));  // the own count went on across reads
  std::ofstream(done) << "";
  ASSERT_TRUE(wait_for([&] { return finished.load(); }));
  recorder.join();

  auto after = ReadLivePoints(*project_, id, &cursor);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->running);
  EXPECT_TRUE(after->metrics.empty());
  EXPECT_EQ(LoadLiveRun(*project_, id).status().code(), Code::kNotFound);
  auto state = ReadProjectState(*project_);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->live.empty());
  EXPECT_NE(state->tip, before->tip);
  EXPECT_EQ(state->tip.size(), 40u);
  // The record agrees with what the watcher saw.
  auto run = LoadRun(*project_, id);
  ASSERT_TRUE(run.ok());
  auto series = LoadSeries(*project_, *run, "loss");
  ASSERT_TRUE(series.ok());
  EXPECT_EQ((*series)->step, steps);

  LiveCursor fresh;
  EXPECT_EQ(ReadLivePoints(*project_, "../x", &fresh).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace trail::api
