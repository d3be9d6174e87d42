#include "recording/file_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/test_temp_dir.h"

namespace trail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

void Append(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

TEST(FileMetricsReaderTest, CsvLogsAreFoundAndReadWhileTheyGrow) {
  trail::testing::TempDir dir;
  FileMetricsReader reader(MetricsConfig{}, dir.path(), /*started=*/0);
  std::vector<std::string> warnings;
  Append(dir.File("logs/history.csv"), "epoch,loss,val_loss\r\n0,0.5,0.6\r\n");
  Append(dir.File("data.csv"), "id,score\n1,0.5\n");  // not a CSVLogger file
  reader.Poll(100, &warnings);
  std::string lines;
  reader.AppendNewPoints(&lines);
  EXPECT_EQ(lines,
            "{\"step\":0,\"time\":100,\"loss\":0.5}\n"
            "{\"step\":0,\"time\":100,\"val_loss\":0.6}\n");
  Append(dir.File("logs/history.csv"), "1,0.25,0.3\r\n2,0.125,0.15");  // the last row is being written
  reader.Poll(101, &warnings);
  lines.clear();
  reader.AppendNewPoints(&lines);
  EXPECT_EQ(lines,
            "{\"step\":1,\"time\":101,\"loss\":0.25}\n"
            "{\"step\":1,\"time\":101,\"val_loss\":0.3}\n");
  reader.Finish(102, &warnings);
  FileMetrics named = reader.Named();
  EXPECT_THAT(named.csv.Keys(), ElementsAre("loss", "val_loss"));
  EXPECT_EQ(named.csv.Series("loss")->size(), 3u);
  EXPECT_EQ(named.origin["loss"], "csv logs/history.csv");
  EXPECT_THAT(warnings, ::testing::IsEmpty());
}

TEST(FileMetricsReaderTest, TwoCsvLogsWithTheSameColumnsStayApart) {
  trail::testing::TempDir dir;
  Append(dir.File("logs/adam.csv"), "epoch,loss\n0,0.5\n");
  Append(dir.File("logs/sgd.csv"), "epoch,loss\n0,0.7\n");
  std::vector<std::string> warnings;
  FileMetrics named = ReadFileMetrics(MetricsConfig{}, dir.path(), 0, 100, &warnings);
  EXPECT_THAT(named.csv.Keys(), ElementsAre("adam/loss", "sgd/loss"));
}

TEST(FileMetricsReaderTest, CsvOffAndListedFiles) {
  trail::testing::TempDir dir;
  Append(dir.File("training.log"), "epoch,loss\n0,0.5\n");
  Append(dir.File("other.log"), "epoch,acc\n0,0.9\n");
  MetricsConfig off;
  off.csv_auto = false;
  std::vector<std::string> warnings;
  EXPECT_TRUE(ReadFileMetrics(off, dir.path(), 0, 100, &warnings).csv.Keys().empty());
  MetricsConfig listed;
  listed.csv_auto = false;
  listed.csv_files = {"training.log", "missing.log"};
  FileMetrics named = ReadFileMetrics(listed, dir.path(), 0, 100, &warnings);
  EXPECT_THAT(named.csv.Keys(), ElementsAre("loss"));
  EXPECT_THAT(warnings, ElementsAre("metrics.csv: missing.log was not written by the run"));
}

}  // namespace
}  // namespace trail
