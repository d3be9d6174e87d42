// Reading a live run from outside its recorder, over a fake live folder that grows, is cut
// mid-line, shrinks and disappears.
#include "recording/live_series.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "git/git_test_util.h"
#include "metrics/tailer.h"
#include "metrics/time_marks.h"
#include "project/project.h"
#include "record/live_files.h"

namespace trail {
namespace {

using git::testing::GitRepoFixture;

class LiveSeriesTest : public GitRepoFixture {
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

  // A live folder as the recorder makes it (without a recorder).
  std::string MakeLive(const std::string& id) {
    std::string dir = project_->live_dir() + "/" + id;
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/" + record::live::kStartFile) << "id: " << id << "\nstatus: running\n";
    return dir;
  }
  static void Append(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::app | std::ios::binary) << text;
  }

  std::unique_ptr<Project> project_;
};

TEST_F(LiveSeriesTest, RunIdsAreCheckedBeforeAnyPath) {
  EXPECT_EQ(*LiveRunId(*project_, "p-3"), "p-3");
  EXPECT_EQ(*LiveRunId(*project_, "3"), "p-3");
  for (const char* bad : {"", "..", "../p-3", "p-3/..", "p-3/x", "q-3", "p-03", "03", "p-", "p-0", "0", "p-3\n",
                          "/etc/passwd", "p-3/../../x", "p--3"}) {
    auto id = LiveRunId(*project_, bad);
    EXPECT_FALSE(id.ok()) << bad;
    if (!id.ok()) {
      EXPECT_EQ(id.status().code(), Code::kInvalidArgument) << bad;
    }
  }
  EXPECT_EQ(ReadLiveStart(*project_, "../../etc").status().code(), Code::kInvalidArgument);
  LiveFileCursors c;
  EXPECT_EQ(ReadLiveSeries(*project_, "p-1/../p-2", &c).status().code(), Code::kInvalidArgument);
}

TEST_F(LiveSeriesTest, StartRecordOfALiveRun) {
  EXPECT_EQ(ReadLiveStart(*project_, "p-1").status().code(), Code::kNotFound);
  EXPECT_EQ(ReadLiveStart(*project_, "p-1").status().message(), "p-1 is not running");
  MakeLive("p-1");
  auto start = ReadLiveStart(*project_, "1");
  ASSERT_TRUE(start.ok()) << start.status().message();
  EXPECT_EQ((*start)["id"], "p-1");
  EXPECT_EQ((*start)["status"], "running");
}

TEST_F(LiveSeriesTest, SymlinksInTheLiveFolderAreNotFollowed) {
  std::string secret = root() + "/secret.yaml";
  std::ofstream(secret) << "id: stolen\n";
  std::string dir = project_->live_dir() + "/p-2";
  std::filesystem::create_directories(dir);
  std::filesystem::create_symlink(secret, dir + "/" + record::live::kStartFile);
  EXPECT_FALSE(ReadLiveStart(*project_, "p-2").ok());
  std::filesystem::create_symlink(root() + "/app.py", dir + "/" + record::live::kMetricsFile);
  LiveFileCursors c;
  EXPECT_FALSE(ReadLiveSeries(*project_, "p-2", &c).ok());
  // A live folder that is itself a symlink is no live run.
  std::filesystem::create_directories(root() + "/elsewhere");
  std::ofstream(root() + "/elsewhere/" + record::live::kStartFile) << "id: p-3\n";
  std::filesystem::create_directory_symlink(root() + "/elsewhere", project_->live_dir() + "/p-3");
  EXPECT_EQ(ReadLiveStart(*project_, "p-3").status().code(), Code::kNotFound);
}

TEST_F(LiveSeriesTest, NotLiveIsNotAnError) {
  LiveFileCursors c;
  auto s = ReadLiveSeries(*project_, "p-9", &c);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_FALSE(s->running);
  EXPECT_TRUE(s->metrics.empty());
}

// A growing file read in polls, with a half-written last line, gives the same points as the
// recorder's own reading of the whole file (MetricsTailer::Replay with the same time marks).
TEST_F(LiveSeriesTest, GrowingFileAgreesWithTheRecorder) {
  std::string dir = MakeLive("p-1");
  std::string file = dir + "/" + record::live::kMetricsFile;
  std::string marks_path = dir + "/" + record::live::kMetricsMarksFile;
  std::vector<std::string> lines = {
      R"({"step": 0, "loss": 1.0, "time": 1700000000.5})",
      R"({"epoch": 3, "acc": 0.25})",
      R"({"loss": 0.9})",  // no step: loss's own count (1)
      R"(not json)",
      R"({"step": 7, "loss": NaN, "val": {"loss": Infinity}})",
      R"({"loss": 0.7, "acc": 0.5})",
      R"({"loss": 0.6})",
  };
  std::string all;
  for (auto& l : lines) all += l + "\n";
  {
    auto marks = metrics::TimeMarks::Open(marks_path);
    ASSERT_TRUE(marks.ok());
    // The recorder read the first four lines at 1800000000 and the next two at 1800000001.
    size_t four = 0;
    for (int i = 0; i < 4; ++i) four += lines[i].size() + 1;
    ASSERT_TRUE(marks->Append(four, 1800000000).ok());
    ASSERT_TRUE(marks->Append(four + lines[4].size() + 1 + lines[5].size() + 1, 1800000001).ok());
  }
  LiveFileCursors cursors;
  std::map<std::string, metrics::SeriesColumns> got;
  auto poll = [&] {
    auto s = ReadLiveSeries(*project_, "p-1", &cursors);
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_TRUE(s->running);
    for (auto& [k, c] : s->metrics) {
      auto& g = got[k];
      g.step.insert(g.step.end(), c.step.begin(), c.step.end());
      g.time.insert(g.time.end(), c.time.begin(), c.time.end());
      g.value.insert(g.value.end(), c.value.begin(), c.value.end());
    }
  };
  // Byte by byte in uneven pieces: every cut, in the middle of lines too.
  size_t at = 0;
  for (size_t piece : {5, 40, 1, 30, 2, 60, 17, 100, 3, 1000}) {
    size_t n = std::min(piece, all.size() - at);
    Append(file, all.substr(at, n));
    at += n;
    poll();
    // Only complete lines are ever consumed.
    if (cursors.metrics.offset > 0) {
      EXPECT_EQ(all[cursors.metrics.offset - 1], '\n');
    }
    EXPECT_LE(cursors.metrics.offset, static_cast<int64_t>(at));
  }
  ASSERT_EQ(at, all.size());
  EXPECT_EQ(cursors.metrics.offset, static_cast<int64_t>(all.size()));

  metrics::MetricSet expected;
  metrics::MetricsTailer tailer(file);
  auto marks = metrics::LoadTimeMarks(marks_path);
  ASSERT_TRUE(marks.ok());
  ASSERT_TRUE(tailer.Replay(*marks, 1900000000, expected).ok());
  ASSERT_EQ(got.size(), expected.Keys().size());
  for (const std::string& key : expected.Keys()) {
    const auto& want = *expected.Series(key);
    const auto& have = got[key];
    ASSERT_EQ(have.size(), want.size()) << key;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(have.step[i], want[i].step) << key << " " << i;
      if (i < want.size() - (key == "loss" ? 1 : 0)) {  // the last loss line was never marked: now
        EXPECT_EQ(have.time[i], want[i].time) << key << " " << i;
      }
      EXPECT_TRUE(have.value[i] == want[i].value || (std::isnan(have.value[i]) && std::isnan(want[i].value)));
    }
  }
  EXPECT_EQ(got["loss"].step, (std::vector<int64_t>{0, 1, 7, 3, 4}));
  EXPECT_EQ(got["acc"].step, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(got["loss"].time[0], 1700000000.5);  // the line's own time
  EXPECT_EQ(got["loss"].time[1], 1800000000);    // when the recorder read it
  EXPECT_TRUE(std::isinf(got["val.loss"].value[0]));

  // A zero cursor gives every point so far, in one read.
  LiveFileCursors fresh;
  auto whole = ReadLiveSeries(*project_, "p-1", &fresh);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->metrics["loss"].step, got["loss"].step);
  EXPECT_EQ(whole->metrics["acc"].value, got["acc"].value);
}

// As in the record: the program's own name wins over the same name from the metric files,
// which wins over the output.
TEST_F(LiveSeriesTest, OwnMetricsHideOutputAndFileMetricsOfTheSameName) {
  std::string dir = MakeLive("p-4");
  Append(dir + "/" + record::live::kOutputMetricsFile,
         "{\"step\":0,\"time\":1.0,\"loss\":9}\n{\"step\":0,\"time\":1.0,\"lr\":0.1}\n"
         "{\"step\":0,\"time\":1.0,\"acc\":0.3}\n");
  Append(dir + "/" + record::live::kFileMetricsFile, "{\"step\":0,\"time\":1.0,\"acc\":0.5}\n");
  Append(dir + "/" + record::live::kMetricsFile, "{\"step\":0,\"loss\":1}\n");
  LiveFileCursors c;
  auto s = ReadLiveSeries(*project_, "p-4", &c);
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->metrics.size(), 3u);
  EXPECT_EQ(s->metrics["loss"].value, std::vector<double>{1});
  EXPECT_EQ(s->metrics["acc"].value, std::vector<double>{0.5});
  EXPECT_EQ(s->metrics["lr"].value, std::vector<double>{0.1});
  EXPECT_EQ(c.output.offset,
            static_cast<int64_t>(std::filesystem::file_size(dir + "/" + record::live::kOutputMetricsFile)));
}

TEST_F(LiveSeriesTest, SystemSeriesComeLastAndYieldToTheProgramsOwnNames) {
  std::string dir = MakeLive("p-5");
  Append(dir + "/" + record::live::kSystemMetricsFile,
         "{\"step\":0,\"time\":5.0,\"system/cpu_percent\":99.5,\"system/threads\":4}\n"
         "{\"step\":1,\"time\":10.0,\"system/cpu_percent\":98,\"system/threads\":4}\n");
  Append(dir + "/" + record::live::kMetricsFile, "{\"step\":0,\"system/threads\":7}\n");
  LiveFileCursors c;
  auto s = ReadLiveSeries(*project_, "p-5", &c);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->metrics["system/cpu_percent"].value, (std::vector<double>{99.5, 98}));
  EXPECT_EQ(s->metrics["system/cpu_percent"].step, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(s->metrics["system/cpu_percent"].time, (std::vector<double>{5.0, 10.0}));
  EXPECT_EQ(s->metrics["system/threads"].value, std::vector<double>{7});  // the program's
  EXPECT_EQ(c.system.offset,
            static_cast<int64_t>(std::filesystem::file_size(dir + "/" + record::live::kSystemMetricsFile)));
}

TEST_F(LiveSeriesTest, ARewrittenFileIsReadAgainFromItsStart) {
  std::string dir = MakeLive("p-5");
  std::string file = dir + "/" + record::live::kMetricsFile;
  Append(file, "{\"loss\":1}\n{\"loss\":2}\n{\"loss\":3}\n");
  LiveFileCursors c;
  ASSERT_TRUE(ReadLiveSeries(*project_, "p-5", &c).ok());
  EXPECT_EQ(c.metrics.counts["loss"], 3);
  std::ofstream(file, std::ios::trunc) << "{\"loss\":7}\n";
  auto s = ReadLiveSeries(*project_, "p-5", &c);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->metrics["loss"].step, std::vector<int64_t>{0});
  EXPECT_EQ(s->metrics["loss"].value, std::vector<double>{7});
}

TEST_F(LiveSeriesTest, AnOverlongLineIsSkippedAsTheRecorderSkipsIt) {
  std::string dir = MakeLive("p-6");
  std::string file = dir + "/" + record::live::kMetricsFile;
  std::string huge = "{\"x\": \"" + std::string(metrics::MetricsTailer::kMaxLineBytes + 10, 'a');
  Append(file, "{\"loss\":1}\n" + huge);
  LiveFileCursors c;
  auto s = ReadLiveSeries(*project_, "p-6", &c);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->metrics["loss"].size(), 1u);
  EXPECT_EQ(c.metrics.offset, 11);  // the unfinished long line waits
  Append(file, "\", \"loss\": 5}\n{\"loss\":2}\n");
  s = ReadLiveSeries(*project_, "p-6", &c);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->metrics["loss"].value, std::vector<double>{2});
  EXPECT_EQ(s->metrics["loss"].step, std::vector<int64_t>{1});
  EXPECT_EQ(c.metrics.offset, static_cast<int64_t>(std::filesystem::file_size(file)));
}

// The folder disappears (the run finished) while a watcher reads it again and again: every
// call succeeds, and once it is gone the watcher is told so.
TEST_F(LiveSeriesTest, FolderRemovedMidRead) {
  std::string dir = MakeLive("p-7");
  std::string big;
  for (int i = 0; i < 200'000; ++i) big += "{\"step\":" + std::to_string(i) + ",\"loss\":0.5,\"acc\":0.25}\n";
  Append(dir + "/" + record::live::kMetricsFile, big);
  Append(dir + "/" + record::live::kOutputMetricsFile, big);
  std::atomic<bool> removed{false};
  std::thread remover([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    std::string gone = project_->live_dir() + "/.done-p-7-1";
    std::filesystem::rename(dir, gone);
    std::filesystem::remove_all(gone);
    removed = true;
  });
  int calls = 0;
  bool saw_finished = false;
  for (;;) {
    LiveFileCursors c;  // a fresh watcher each time: every read is a whole one
    auto s = ReadLiveSeries(*project_, "p-7", &c);
    ASSERT_TRUE(s.ok()) << s.status().message();
    ++calls;
    if (!s->running) {
      saw_finished = true;
      break;
    }
    if (s->metrics.count("loss")) {
      EXPECT_LE(s->metrics["loss"].size(), 200'000u);
    }
  }
  remover.join();
  EXPECT_TRUE(saw_finished);
  EXPECT_TRUE(removed);
  EXPECT_EQ(ReadLiveStart(*project_, "p-7").status().code(), Code::kNotFound);
}

TEST_F(LiveSeriesTest, ListsLiveFoldersNewestFirst) {
  EXPECT_TRUE(ListLiveRunIds(*project_).empty());
  MakeLive("p-2");
  MakeLive("p-10");
  MakeLive("p-1");
  std::filesystem::create_directories(project_->live_dir() + "/.new-p-11-123");
  std::filesystem::create_directories(project_->live_dir() + "/.done-p-3-123");
  EXPECT_EQ(ListLiveRunIds(*project_), (std::vector<std::string>{"p-10", "p-2", "p-1"}));
}

}  // namespace
}  // namespace trail
