#include "ingest/dir_watcher.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/test_temp_dir.h"
#include "ingest/test_event_writer.h"

namespace trail::ingest {
namespace {

namespace fs = std::filesystem;
using namespace testutil;
using metrics::MetricSet;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using trail::testing::TempDir;

std::vector<double> WatchedValues(const MetricSet& set, std::string_view key) {
  std::vector<double> values;
  if (const auto* s = set.Series(key)) {
    for (const metrics::Point& p : *s) values.push_back(p.value);
  }
  return values;
}

// Writes an event file with one scalar per (step, value).
void WriteEvents(const std::string& path, std::string_view tag, const std::vector<float>& values) {
  fs::create_directories(fs::path(path).parent_path());
  std::string file = Frame(FileVersionEvent(1.0));
  for (size_t i = 0; i < values.size(); ++i) file += Frame(SummaryEvent(1.0 + i, i, {SimpleValue(tag, values[i])}));
  AppendToFile(path, file);
}

void SetMtime(const std::string& path, double unix_seconds) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(unix_seconds);
  times[0].tv_nsec = times[1].tv_nsec = 0;
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

TEST(DirWatcherTest, KerasTrainAndValidationSubdirsAreNamedApart) {
  TempDir dir;
  WriteEvents(dir.File("logs/train/events.out.tfevents.1.host.1.v2"), "epoch_loss", {0.9f, 0.7f});
  WriteEvents(dir.File("logs/validation/events.out.tfevents.1.host.2.v2"), "epoch_loss", {0.95f, 0.8f});
  DirWatcher watcher(dir.File("logs"));
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(watcher.Poll(0, set, &warnings), 4);
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_THAT(set.Keys(), ElementsAre("train/epoch_loss", "validation/epoch_loss"));
  EXPECT_THAT(WatchedValues(set, "validation/epoch_loss"), ElementsAre(0.949999988079071, 0.800000011920929));
}

TEST(DirWatcherTest, FilesInTheRootKeepTheirTags) {
  TempDir dir;
  WriteEvents(dir.File("runs/events.out.tfevents.1.host"), "Loss/train", {1.0f});
  DirWatcher watcher(dir.File("runs") + "/");
  MetricSet set;
  EXPECT_EQ(watcher.Poll(0, set, nullptr), 1);
  EXPECT_THAT(set.Keys(), ElementsAre("Loss/train"));
}

TEST(DirWatcherTest, PicksUpNewFilesAndNewRecords) {
  TempDir dir;
  DirWatcher watcher(dir.File("logs"));  // not created yet
  MetricSet set;
  EXPECT_EQ(watcher.Poll(0, set, nullptr), 0);
  const std::string train = dir.File("logs/train/events.out.tfevents.1");
  WriteEvents(train, "epoch_loss", {0.5f});
  EXPECT_EQ(watcher.Poll(0, set, nullptr), 1);
  AppendToFile(train, Frame(SummaryEvent(5, 1, {SimpleValue("epoch_loss", 0.25f)})));
  WriteEvents(dir.File("logs/validation/events.out.tfevents.2"), "epoch_loss", {0.6f});
  EXPECT_EQ(watcher.Poll(0, set, nullptr), 2);
  EXPECT_THAT(WatchedValues(set, "train/epoch_loss"), ElementsAre(0.5, 0.25));
  EXPECT_EQ(watcher.Files().size(), 2u);
}

TEST(DirWatcherTest, ModifiedSinceFilterSkipsOldFiles) {
  TempDir dir;
  const std::string old_file = dir.File("logs/old/events.out.tfevents.1");
  const std::string new_file = dir.File("logs/new/events.out.tfevents.2");
  WriteEvents(old_file, "loss", {1.0f});
  WriteEvents(new_file, "loss", {2.0f});
  SetMtime(old_file, 1000.0);
  SetMtime(new_file, 3000.0);
  WatchOptions options;
  options.modified_since = 2000.0;
  DirWatcher watcher(dir.File("logs"), options);
  MetricSet set;
  EXPECT_EQ(watcher.Poll(0, set, nullptr), 1);
  EXPECT_THAT(set.Keys(), ElementsAre("new/loss"));
  // A file at exactly the boundary counts.
  const std::string boundary = dir.File("logs/edge/events.out.tfevents.3");
  WriteEvents(boundary, "loss", {3.0f});
  SetMtime(boundary, 2000.0);
  EXPECT_EQ(watcher.Poll(0, set, nullptr), 1);
  // The old file is read once the run writes to it.
  AppendToFile(old_file, Frame(SummaryEvent(1, 1, {SimpleValue("loss", 4.0f)})));
  SetMtime(old_file, 4000.0);
  EXPECT_EQ(watcher.Poll(0, set, nullptr), 2);
  EXPECT_THAT(WatchedValues(set, "old/loss"), ElementsAre(1.0, 4.0));
}

TEST(DirWatcherTest, SkipsGitTrailAndHiddenDirectories) {
  TempDir dir;
  WriteEvents(dir.File("p/.git/events.out.tfevents.1"), "a", {1});
  WriteEvents(dir.File("p/.trail/live/events.out.tfevents.1"), "b", {1});
  WriteEvents(dir.File("p/.venv/events.out.tfevents.1"), "c", {1});
  WriteEvents(dir.File("p/node_modules/events.out.tfevents.1"), "d", {1});
  WriteEvents(dir.File("p/logs/events.out.tfevents.1"), "e", {1});
  DirWatcher watcher(dir.File("p"));
  MetricSet set;
  EXPECT_EQ(watcher.Poll(0, set, nullptr), 1);
  EXPECT_THAT(set.Keys(), ElementsAre("logs/e"));
}

TEST(DirWatcherTest, DepthLimit) {
  TempDir dir;
  WriteEvents(dir.File("r/1/2/events.out.tfevents.1"), "shallow", {1});
  WriteEvents(dir.File("r/1/2/3/events.out.tfevents.1"), "deep", {1});
  WatchOptions options;
  options.limits.max_depth = 2;
  DirWatcher watcher(dir.File("r"), options);
  MetricSet set;
  EXPECT_EQ(watcher.Poll(0, set, nullptr), 1);
  EXPECT_THAT(set.Keys(), ElementsAre("1/2/shallow"));
}

TEST(DirWatcherTest, EntryLimitWarnsOnceAndFindsShallowFilesFirst) {
  TempDir dir;
  WriteEvents(dir.File("r/events.out.tfevents.1"), "top", {1});
  // The root is small; the budget runs out in r/many, one level down.
  for (int i = 0; i < 30; ++i) fs::create_directories(dir.File("r/many/d" + std::to_string(i)));
  WriteEvents(dir.File("r/many/d9/events.out.tfevents.1"), "deep", {1});
  WatchOptions options;
  options.limits.max_entries = 20;
  DirWatcher watcher(dir.File("r"), options);
  MetricSet set;
  std::vector<std::string> warnings;
  watcher.Poll(0, set, &warnings);
  watcher.Poll(0, set, &warnings);
  EXPECT_THAT(set.Keys(), ElementsAre("top"));
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("stopped looking for metric files after 20 directory entries")));
}

TEST(DirWatcherTest, FileLimitWarnsOnce) {
  TempDir dir;
  for (int i = 0; i < 5; ++i) WriteEvents(dir.File("r/" + std::to_string(i) + "/events.out.tfevents.1"), "x", {1});
  WatchOptions options;
  options.max_files = 3;
  DirWatcher watcher(dir.File("r"), options);
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(watcher.Poll(0, set, &warnings), 3);
  EXPECT_EQ(watcher.Poll(0, set, &warnings), 0);
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("more than 3 metric files")));
}

TEST(DirWatcherTest, FindsKerasCsvLogsByTheirHeader) {
  TempDir dir;
  fs::create_directories(dir.File("p/out"));
  AppendToFile(dir.File("p/training.log"), "epoch,loss\n0,0.5\n");
  AppendToFile(dir.File("p/out/history.csv"), "epoch;acc\n0;0.25\n");
  AppendToFile(dir.File("p/out/data.csv"), "id,label\n1,2\n");  // not a training log
  AppendToFile(dir.File("p/out/stdout.log"), "Epoch 1/10\n");   // not one either
  AppendToFile(dir.File("p/out/late.csv"), "ep");               // too short to tell yet
  DirWatcher watcher(dir.File("p"));
  MetricSet set;
  EXPECT_EQ(watcher.Poll(10.0, set, nullptr), 2);
  EXPECT_THAT(set.Keys(), UnorderedElementsAre("loss", "out/acc"));
  AppendToFile(dir.File("p/out/late.csv"), "och,val_loss\n0,0.75\n");
  EXPECT_EQ(watcher.Poll(11.0, set, nullptr), 1);
  EXPECT_THAT(WatchedValues(set, "out/val_loss"), ElementsAre(0.75));
  EXPECT_EQ(watcher.Files().size(), 3u);
}

TEST(DirWatcherTest, FinishTakesUnterminatedCsvRowAndWarnsAboutPartialRecords) {
  TempDir dir;
  fs::create_directories(dir.File("p"));
  AppendToFile(dir.File("p/history.csv"), "epoch,loss\n0,0.5\n1,0.25");
  WriteEvents(dir.File("p/tb/events.out.tfevents.1"), "loss", {1.0f});
  AppendToFile(dir.File("p/tb/events.out.tfevents.1"), "\x01\x02");
  DirWatcher watcher(dir.File("p"));
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(watcher.Poll(0, set, &warnings), 2);
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_EQ(watcher.Finish(0, set, &warnings), 1);
  EXPECT_THAT(WatchedValues(set, "loss"), ElementsAre(0.5, 0.25));
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("ends inside a record (2 bytes)")));
}

TEST(DirWatcherTest, CorruptFileIsReportedOnceAndOthersGoOn) {
  TempDir dir;
  std::string bad = Frame(SummaryEvent(1, 1, {SimpleValue("a", 1)}));
  bad[bad.size() - 1] ^= 1;
  AppendToFile(dir.File("events.out.tfevents.bad"), bad);
  WriteEvents(dir.File("ok/events.out.tfevents.1"), "b", {1});
  DirWatcher watcher(dir.File(""));
  MetricSet set;
  std::vector<std::string> warnings;
  EXPECT_EQ(watcher.Poll(0, set, &warnings), 1);
  EXPECT_EQ(watcher.Poll(0, set, &warnings), 0);
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("events.out.tfevents.bad: offset 0: record data CRC mismatch")));
}

TEST(DirWatcherTest, OnlyTheKindsAskedFor) {
  TempDir dir;
  AppendToFile(dir.File("history.csv"), "epoch,loss\n0,0.5\n");
  WriteEvents(dir.File("events.out.tfevents.1"), "tb", {1.0f});
  WatchOptions options;
  options.keras_csv = false;
  DirWatcher watcher(dir.File(""), options);
  MetricSet set;
  EXPECT_EQ(watcher.Poll(0, set, nullptr), 1);
  EXPECT_THAT(set.Keys(), ElementsAre("tb"));
}

TEST(DiscoveryTest, KeyPrefixAndNames) {
  EXPECT_EQ(KeyPrefixFor(""), "");
  EXPECT_EQ(KeyPrefixFor("train"), "train/");
  EXPECT_EQ(KeyPrefixFor("fit/run1/validation"), "fit/run1/validation/");
  EXPECT_TRUE(IsEventFileName("events.out.tfevents.1700000000.host.123.0.v2"));
  EXPECT_TRUE(IsEventFileName("events.out.tfevents.1700000000.host.profile-empty"));
  EXPECT_FALSE(IsEventFileName("events.log"));
}

TEST(DiscoveryTest, DoesNotFollowDirectorySymlinks) {
  TempDir dir;
  WriteEvents(dir.File("r/a/events.out.tfevents.1"), "x", {1});
  fs::create_directory_symlink(dir.File("r"), dir.File("r/a/loop"));
  Discovery found = FindFiles(dir.File("r"), DiscoveryLimits{}, IsEventFileName);
  ASSERT_EQ(found.files.size(), 1u);
  EXPECT_EQ(found.files[0].relative_dir, "a");
  EXPECT_EQ(found.files[0].path, dir.File("r/a/events.out.tfevents.1"));
  EXPECT_FALSE(found.truncated);
}

}  // namespace
}  // namespace trail::ingest
