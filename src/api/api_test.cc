// The public API on its own, as a program outside the library uses it: only trail/* headers.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_repo.h"
#include "trail/format.h"
#include "trail/project.h"
#include "trail/recording.h"
#include "trail/runs.h"

namespace trail::api {
namespace {

class Collector : public RunObserver {
 public:
  void Started(const std::string& id) override { started = id; }
  void Finished(const Json& record) override { finished = record; }
  void Warning(const std::string& message) override { warnings.push_back(message); }
  void Error(const std::string& message) override { errors.push_back(message); }
  std::string started;
  Json finished;
  std::vector<std::string> warnings, errors;
};

// A fresh Git repository with a fixed identity and no user or system config.
class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::IsolateGit();
    root_ = testing::MakeTempDir("trail-api-test");
    ASSERT_EQ(testing::ShellIn(root_, testing::kGitInit), 0);
    std::ofstream(root_ + "/train.py") << "print('hi')\n";
    ASSERT_EQ(Git("add -A && git commit -q -m init"), 0);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  int Git(const std::string& args) const { return testing::ShellIn(root_, "git " + args); }

  std::unique_ptr<Project> InitAndOpen() {
    InitOptions init;
    init.name = "demo";
    auto made = InitProject(root_, init);
    EXPECT_TRUE(made.ok()) << made.status().message();
    EXPECT_TRUE(made.ok() && made->created);
    auto project = Project::Open(root_, nullptr);
    EXPECT_TRUE(project.ok()) << project.status().message();
    return project.ok() ? std::move(*project) : nullptr;
  }

  std::string root_;
};

TEST_F(ApiTest, OpenOutsideAProjectIsAnError) {
  auto project = Project::Open(root_, nullptr);
  ASSERT_FALSE(project.ok());
  EXPECT_EQ(project.status().code(), Code::kFailedPrecondition);
}

TEST_F(ApiTest, InitOpenRecordListAndRead) {
  auto project = InitAndOpen();
  ASSERT_NE(project, nullptr);
  EXPECT_EQ(project->name(), "demo");
  EXPECT_EQ(project->root(), root_);
  EXPECT_EQ(project->branch(), "trail");

  RunRequest request;
  request.argv = {"/bin/sh", "-c", "echo '{\"step\": 0, \"loss\": 0.5}' >> \"$TRAIL_METRICS\"", "--lr", "0.1"};
  request.name = "first";
  request.tags = {"team=fraud"};
  ASSERT_TRUE(CheckRunRequest(request).ok());
  Collector observer;
  auto outcome = RecordRun(*project, request, observer);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->id, "demo-1");
  EXPECT_EQ(observer.started, "demo-1");
  EXPECT_EQ(GetString(observer.finished, "status"), "finished");
  EXPECT_TRUE(observer.errors.empty());

  auto unreadable = SyncIndex(*project);
  ASSERT_TRUE(unreadable.ok()) << unreadable.status().message();
  EXPECT_TRUE(unreadable->empty());
  std::vector<RunRow> rows;
  Status listed = ForEachRun(*project, RunQuery{}, [&](const RunRow& row) {
    rows.push_back(row);
    return Status::Ok();
  });
  ASSERT_TRUE(listed.ok()) << listed.message();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, "demo-1");
  EXPECT_EQ(rows[0].name, "first");
  EXPECT_EQ(rows[0].status, "finished");
  EXPECT_EQ(rows[0].metrics["loss"]["last"], 0.5);
  EXPECT_TRUE(LiveRuns(*project, -1).empty());

  auto run = LoadRun(*project, "1");
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run->ref, "1");
  EXPECT_EQ(GetString(run->record, "id"), "demo-1");
  EXPECT_EQ(run->record["tags"]["team"], "fraud");
  EXPECT_EQ(run->dir, "runs/000/demo-1");
  EXPECT_NE(RecordYaml(run->record).find("id: demo-1\n"), std::string::npos);
  auto series = ReadSeries(*project, *run, "loss");
  ASSERT_TRUE(series.ok()) << series.status().message();
  EXPECT_NE(series->find("0.5"), std::string::npos);
  auto missing = ReadSeries(*project, *run, "acc");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "1 has no series acc");
}

TEST_F(ApiTest, EditsAreCommittedAndListedBack) {
  auto project = InitAndOpen();
  ASSERT_NE(project, nullptr);
  RunRequest request;
  request.argv = {"/bin/true"};
  Collector observer;
  ASSERT_TRUE(RecordRun(*project, request, observer).ok());

  EXPECT_FALSE(ParseTagEdit({}, {}).ok());
  EXPECT_EQ(ParseTagEdit({"novalue"}, {}).status().code(), Code::kInvalidArgument);
  auto edit = ParseTagEdit({"stage=2"}, {});
  ASSERT_TRUE(edit.ok()) << edit.status().message();
  ASSERT_TRUE(TagRun(*project, "demo-1", *edit).ok());
  ASSERT_TRUE(AddNote(*project, "demo-1", "looks good").ok());
  auto gone = ParseTagEdit({}, {"nope"});
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(TagRun(*project, "demo-1", *gone).code(), Code::kNotFound);

  auto run = LoadRun(*project, "demo-1");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->record["tags"]["stage"], "2");
  EXPECT_EQ(run->record["notes"][0]["text"], "looks good");

  ASSERT_TRUE(ArchiveRun(*project, "demo-1", true).ok());
  size_t shown = 0, all = 0;
  RunQuery query;
  ASSERT_TRUE(ForEachRun(*project, query, [&](const RunRow&) { return ++shown, Status::Ok(); }).ok());
  query.include_archived = true;
  ASSERT_TRUE(ForEachRun(*project, query, [&](const RunRow& r) {
                EXPECT_TRUE(r.archived);
                return ++all, Status::Ok();
              }).ok());
  EXPECT_EQ(shown, 0u);
  EXPECT_EQ(all, 1u);
  auto report = CheckIndex(*project, /*rebuild=*/true, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->runs, 1);
}

TEST_F(ApiTest, BadRequestsAreRefusedBeforeAnyProjectIsOpened) {
  RunRequest request;
  request.argv = {"/bin/true"};
  request.data = {"no-equals-sign"};
  EXPECT_EQ(CheckRunRequest(request).code(), Code::kInvalidArgument);
  request.data.clear();
  request.sweep_trial = "[1, 2]";
  EXPECT_EQ(CheckRunRequest(request).message(), "--sweep-trial: expected a JSON object");
}

}  // namespace
}  // namespace trail::api
