// ExportRunsTable / ExportToFolder: the tables' exact text, errors before anything is written,
// and a folder left as it was when an export fails.
#include "trail/export.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "test_repo.h"
#include "trail/project.h"
#include "trail/recording.h"

namespace trail::api {
namespace {

// One project for the suite: two runs, one with a comma and a quote in a param and a tag, and a
// series holding NaN and an infinity.
class ExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string;
    project_ = testing::MakeProject("trail-export-test", root_);
    ASSERT_NE(project_, nullptr);
    testing::QuietObserver observer;
    RunRequest first;
    first.argv = {
        "/bin/sh", "-c",
        "echo '{\"step\": 0, \"loss\": NaN}' >> \"$TRAIL_METRICS\"; echo '{\"step\": 1, \"loss\": -Infinity}' "
        ">> \"$TRAIL_METRICS\""};
    first.params = {"note=a, \"b\"", "lr=0.5"};
    first.tags = {"stage=prod"};
    ASSERT_TRUE(RecordRun(*project_, first, observer).ok());
    RunRequest second;
    second.argv = {"/bin/sh", "-c", "true"};
    second.params = {"lr=2"};
    ASSERT_TRUE(RecordRun(*project_, second, observer).ok());
  }
  static void TearDownTestSuite() {
    delete project_;
    std::filesystem::remove_all(*root_);
    delete root_;
  }
  static std::string Table(ExportTable table, ExportFormat format, const std::string& where = "") {
    std::string out;
    RunQuery q;
    q.where = where;
    Status s = ExportRunsTable(*project_, q, table, format, [&](std::string_view d) {
      out.append(d);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return out;
  }
  static std::string* root_;
  static Project* project_;
};
std::string* ExportTest::root_ = nullptr;
Project* ExportTest::project_ = nullptr;

TEST_F(ExportTest, LongTablesQuoteAndTypeTheirValues) {
  EXPECT_EQ(Table(ExportTable::kParams, ExportFormat::kCsv),
            "run_id,key,value,type\nt-2,lr,2,int\nt-1,lr,0.5,float\nt-1,note,\"a, \"\"b\"\"\",string\n");
  EXPECT_EQ(Table(ExportTable::kTags, ExportFormat::kJsonl),
            "{\"run_id\":\"t-1\",\"key\":\"stage\",\"value\":\"prod\"}\n");
  const std::string metrics = Table(ExportTable::kMetrics, ExportFormat::kCsv);
  EXPECT_EQ(metrics.substr(0, metrics.find('\n')), "run_id,key,step,timestamp,timestamp_ms,value");
  EXPECT_NE(metrics.find(",nan\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(",-inf\n"), std::string::npos) << metrics;
  const std::string jsonl = Table(ExportTable::kMetrics, ExportFormat::kJsonl);
  EXPECT_NE(jsonl.find("\"value\":NaN}"), std::string::npos) << jsonl;
  EXPECT_NE(jsonl.find("\"value\":-Infinity}"), std::string::npos) << jsonl;
}

TEST_F(ExportTest, RunsTableHasEveryColumnInEveryRow) {
  const std::string runs = Table(ExportTable::kRuns, ExportFormat::kCsv, "params.lr < 1");
  EXPECT_EQ(runs.substr(0, runs.find('\n')),
            "id,number,name,status,started,duration_s,user,params.lr,params.note,metrics.loss,min(metrics.loss),"
            "max(metrics.loss),count(metrics.loss),tags.stage");
  EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 2);
}

TEST_F(ExportTest, ErrorsComeBeforeAnythingIsWrittenAndLeaveNothing) {
  RunQuery bad;
  bad.where = "params.lr <<< 1";
  bool called = false;
  Status s = ExportRunsTable(*project_, bad, ExportTable::kRuns, ExportFormat::kCsv, [&](std::string_view) {
    called = true;
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_FALSE(called);
  const std::string dir = *root_ + "/../" + std::filesystem::path(*root_).filename().string() + "-out";
  EXPECT_FALSE(ExportToFolder(*project_, bad, ExportFormat::kCsv, dir).ok());
  EXPECT_FALSE(std::filesystem::exists(dir));
  // A sink's error stops the export and is returned.
  s = ExportRunsTable(*project_, RunQuery{}, ExportTable::kParams, ExportFormat::kCsv,
                      [](std::string_view) { return IoError("disk full"); });
  EXPECT_EQ(s.message(), "disk full");
  auto counts = ExportToFolder(*project_, RunQuery{}, ExportFormat::kJsonl, dir);
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ(counts->runs, 2);
  EXPECT_EQ(counts->params, 3);
  EXPECT_EQ(counts->metric_points, 2);
  EXPECT_EQ(counts->tags, 1);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 4u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace trail::api
