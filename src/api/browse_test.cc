// The UI's read paths through the public API: browsing a run's code snapshot and its stored files
// (artifacts, a folder artifact, a data input and its snapshot), and the runs table's paging,
// counts, keys and derived/context fields. Only trail/* headers, as the server uses them.
#include "trail/browse.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_repo.h"
#include "trail/data.h"
#include "trail/project.h"
#include "trail/recording.h"
#include "trail/runs.h"

namespace trail::api {
namespace {

class QuietObserver : public RunObserver {
 public:
  void Started(const std::string&) override {}
  void Finished(const Json& record) override { finished = record; }
  void Warning(const std::string&) override {}
  void Error(const std::string& message) override { errors.push_back(message); }
  Json finished;
  std::vector<std::string> errors;
};

class BrowseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::IsolateGit();
    root_ = testing::MakeTempDir("trail-browse-test");
    ASSERT_EQ(Sh(testing::kGitInit), 0);
    std::filesystem::create_directories(root_ + "/src/lib");
    std::ofstream(root_ + "/train.py") << "print('hi')\n";
    std::ofstream(root_ + "/src/lib/util.py") << "X = 1\n";
    ASSERT_EQ(Sh("chmod +x train.py && ln -s train.py link.py && git add -A && git commit -q -m init"), 0);
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

  int Sh(const std::string& command) const { return testing::ShellIn(root_, command); }

  // Records a run of `script` (sh) with `params`, returning its record.
  Json Record(const std::string& script, std::vector<std::string> params = {}, std::vector<std::string> artifacts = {},
              std::vector<std::string> data = {}) {
    RunRequest request;
    request.argv = {"/bin/sh", "-c", script};
    request.params = std::move(params);
    request.artifacts = std::move(artifacts);
    request.data = std::move(data);
    request.cwd = root_;
    QuietObserver observer;
    auto outcome = RecordRun(*project_, request, observer);
    EXPECT_TRUE(outcome.ok()) << outcome.status().message();
    EXPECT_TRUE(observer.errors.empty()) << (observer.errors.empty() ? "" : observer.errors[0]);
    return observer.finished;
  }

  std::string ReadAll(const std::string& oid, Status* status) {
    std::string bytes;
    *status = ReadStoredObject(*project_, oid, [&](std::string_view chunk) {
      bytes.append(chunk);
      return Status::Ok();
    });
    return bytes;
  }

  std::vector<std::string> Ids(const RunQuery& q) {
    std::vector<std::string> ids;
    Status s = ForEachRun(*project_, q, [&](const RunRow& row) {
      ids.push_back(row.id);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return ids;
  }

  std::string root_;
  std::unique_ptr<Project> project_;
};

TEST_F(BrowseTest, CodeSnapshotFilesAreListedAndRead) {
  // An uncommitted edit and an untracked file are in the snapshot, not in HEAD.
  std::ofstream(root_ + "/train.py") << "print('edited')\n";
  std::ofstream(root_ + "/notes.txt") << std::string(3000, 'n');
  Json record = Record("true");
  std::string snapshot = record["code"]["snapshot"].get<std::string>();
  std::string commit = record["code"]["commit"].get<std::string>();

  bool truncated = true;
  auto files = ListCodeFiles(*project_, snapshot, -1, &truncated);
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_FALSE(truncated);
  std::vector<std::string> paths;
  for (const auto& f : *files) paths.push_back(f.path);
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
  auto find = [&](const std::string& path) -> const CodeEntry* {
    for (const auto& f : *files) {
      if (f.path == path) return &f;
    }
    return nullptr;
  };
  ASSERT_NE(find("train.py"), nullptr);
  EXPECT_EQ(find("train.py")->type, "file");
  EXPECT_TRUE(find("train.py")->executable);
  EXPECT_EQ(find("train.py")->size, 16);
  ASSERT_NE(find("src/lib/util.py"), nullptr);
  EXPECT_FALSE(find("src/lib/util.py")->executable);
  ASSERT_NE(find("notes.txt"), nullptr);
  EXPECT_EQ(find("notes.txt")->size, 3000);
  ASSERT_NE(find("link.py"), nullptr);
  EXPECT_EQ(find("link.py")->type, "link");

  auto cut = ListCodeFiles(*project_, snapshot, 2, &truncated);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->size(), 2u);
  EXPECT_TRUE(truncated);

  auto text = ReadCodeFile(*project_, snapshot, "train.py", 1 << 20, &truncated);
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_EQ(*text, "print('edited')\n");
  EXPECT_FALSE(truncated);
  auto before = ReadCodeFile(*project_, commit, "train.py", 1 << 20, &truncated);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*before, "print('hi')\n");
  auto head = ReadCodeFile(*project_, snapshot, "notes.txt", 100, &truncated);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size(), 100u);
  EXPECT_TRUE(truncated);

  for (const std::string bad : {"../etc/passwd", "/etc/passwd", "", "src//lib/util.py", "./train.py", ".git/config",
                                "src/.GIT/x", "src/lib/../../train.py"}) {
    auto refused = ReadCodeFile(*project_, snapshot, bad, 100, &truncated);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), Code::kInvalidArgument) << bad;
  }
  for (const std::string missing : {"nope.py", "src/lib", "link.py"}) {
    auto refused = ReadCodeFile(*project_, snapshot, missing, 100, &truncated);
    ASSERT_FALSE(refused.ok()) << missing;
    EXPECT_EQ(refused.status().code(), Code::kNotFound) << missing;
  }
  // Only full commit ids: no rev-parse of names from a request.
  for (const std::string& bad : std::vector<std::string>{"HEAD", "main", snapshot.substr(0, 12), "trail", ""}) {
    auto refused = ListCodeFiles(*project_, bad, -1, &truncated);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), Code::kInvalidArgument) << bad;
  }
  auto unknown = ListCodeFiles(*project_, std::string(40, 'a'), -1, &truncated);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
}

TEST_F(BrowseTest, StoredFilesFoldersAndDataAreStreamedByContentId) {
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  std::ofstream(root_ + "/model.bin", std::ios::binary) << big;
  std::string csv = "a,b\n";
  for (int i = 0; i < 500; ++i) csv += std::to_string(i) + "," + std::to_string(i * i) + "\n";
  std::ofstream(root_ + "/train.csv") << csv;
  // A data input is in the store when it is tracked (`trail add`); its 1% snapshot always is.
  ASSERT_TRUE(AddData(*project_, {root_ + "/train.csv"}).ok());
  // A SavedModel folder the run writes is stored whole, as a tree.
  Json record = Record(
      "mkdir -p saved/variables && printf graph > saved/saved_model.pb &&"
      " printf index > saved/variables/variables.index",
      {}, {"model.bin", "saved"}, {"train=train.csv"});
  ASSERT_TRUE(record.contains("artifacts")) << record.dump();

  std::string file_oid, folder_oid;
  for (const auto& a : record["artifacts"]) {
    if (a["path"] == "model.bin") file_oid = a["oid"].get<std::string>();
    if (a["path"] == "saved") folder_oid = a["oid"].get<std::string>();
  }
  ASSERT_FALSE(file_oid.empty());
  ASSERT_FALSE(folder_oid.empty()) << record["artifacts"].dump();

  auto stat = StatStoredObject(*project_, file_oid);
  ASSERT_TRUE(stat.ok()) << stat.status().message();
  EXPECT_EQ(stat->size, static_cast<int64_t>(big.size()));
  EXPECT_FALSE(stat->folder);
  Status status;
  size_t calls = 0;
  std::string bytes;
  status = ReadStoredObject(*project_, file_oid, [&](std::string_view chunk) {
    ++calls;
    bytes.append(chunk);
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(bytes, big);
  EXPECT_GT(calls, 1u);  // chunk by chunk, not the whole file at once
  // The sink's error stops the stream and comes back unchanged.
  status = ReadStoredObject(*project_, file_oid, [](std::string_view) { return IoError("client went away"); });
  EXPECT_EQ(status.message(), "client went away");

  auto folder = StatStoredObject(*project_, folder_oid);
  ASSERT_TRUE(folder.ok()) << folder.status().message();
  EXPECT_TRUE(folder->folder);
  EXPECT_EQ(folder->size, 10);
  auto files = ListStoredFolder(*project_, folder_oid);
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, "saved_model.pb");
  EXPECT_EQ((*files)[1].path, "variables/variables.index");
  EXPECT_EQ(ReadAll((*files)[1].oid, &status), "index");
  EXPECT_TRUE(status.ok());
  ReadAll(folder_oid, &status);
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_EQ(ListStoredFolder(*project_, file_oid).status().code(), Code::kInvalidArgument);

  ASSERT_TRUE(record.contains("data")) << record.dump();
  const Json& input = record["data"][0];
  EXPECT_EQ(ReadAll(input["oid"].get<std::string>(), &status), csv);
  EXPECT_TRUE(status.ok()) << status.message();
  ASSERT_TRUE(input.contains("snapshot") && input["snapshot"].contains("oid")) << input.dump();
  std::string snap = ReadAll(input["snapshot"]["oid"].get<std::string>(), &status);
  EXPECT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(snap.rfind("a,b\n", 0), 0u);

  for (const std::string& bad :
       std::vector<std::string>{"", "sha256:xyz", "sha256:" + std::string(63, 'a'), std::string(64, 'a'), "../x"}) {
    EXPECT_EQ(StatStoredObject(*project_, bad).status().code(), Code::kInvalidArgument) << bad;
    ReadAll(bad, &status);
    EXPECT_EQ(status.code(), Code::kInvalidArgument) << bad;
  }
  std::string unknown = "sha256:" + std::string(64, '0');
  EXPECT_EQ(StatStoredObject(*project_, unknown).status().code(), Code::kNotFound);
  ReadAll(unknown, &status);
  EXPECT_EQ(status.code(), Code::kNotFound);
  EXPECT_EQ(ListStoredFolder(*project_, unknown).status().code(), Code::kNotFound);
}

TEST_F(BrowseTest, RunsTablePagesCountsKeysAndFields) {
  // Five runs: loss falls with the run number; run 3 has no acc; derived metrics from val_loss.
  for (int i = 1; i <= 5; ++i) {
    std::string lines;
    for (int step = 0; step < 3; ++step) {
      lines += "echo '{\"step\": " + std::to_string(step) + ", \"loss\": " + std::to_string(1.0 / i + step * 0.01) +
               ", \"val_loss\": " + std::to_string(2.0 / i - step * 0.1) +
               (i == 3 ? "" : ", \"acc\": " + std::to_string(0.1 * i)) + "}' >> \"$TRAIL_METRICS\"; ";
    }
    Record(lines, {"lr=" + std::to_string(0.01 * i), "opt=" + std::string(i % 2 ? "adam" : "sgd")});
  }
  RunQuery all;
  EXPECT_EQ(Ids(all), (std::vector<std::string>{"demo-5", "demo-4", "demo-3", "demo-2", "demo-1"}));
  RunQuery page;
  page.offset = 1;
  page.limit = 2;
  EXPECT_EQ(Ids(page), (std::vector<std::string>{"demo-4", "demo-3"}));
  // A keyed sort pages through the runs with the key first, then those without it.
  RunQuery by_acc;
  by_acc.sort = "metrics.acc";
  EXPECT_EQ(Ids(by_acc), (std::vector<std::string>{"demo-1", "demo-2", "demo-4", "demo-5", "demo-3"}));
  for (int offset = 0; offset <= 6; ++offset) {
    for (int limit = 0; limit <= 3; ++limit) {
      RunQuery q = by_acc;
      q.offset = offset;
      q.limit = limit;
      std::vector<std::string> want;
      for (int i = offset; i < std::min(5, offset + limit); ++i) want.push_back(Ids(by_acc)[i]);
      EXPECT_EQ(Ids(q), want) << "offset " << offset << " limit " << limit;
    }
  }
  by_acc.descending = true;
  by_acc.offset = 3;
  EXPECT_EQ(Ids(by_acc), (std::vector<std::string>{"demo-1", "demo-3"}));

  auto count = CountRuns(*project_, "params.opt = 'adam'", false);
  ASSERT_TRUE(count.ok()) << count.status().message();
  EXPECT_EQ(*count, 3);
  EXPECT_EQ(*CountRuns(*project_, "", false), 5);
  auto bad = CountRuns(*project_, "metrics.loss <", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);

  // Derived metrics and context facts are listed, filtered and sorted on.
  std::vector<RunRow> rows;
  RunQuery first;
  first.where = "number = 2";
  ASSERT_TRUE(ForEachRun(*project_, first, [&](const RunRow& r) {
                rows.push_back(r);
                return Status::Ok();
              }).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NEAR(rows[0].derived.value("val_loss_min", 0.0), 0.8, 1e-9) << rows[0].derived.dump();
  EXPECT_FALSE(rows[0].context.value("host", std::string()).empty()) << rows[0].context.dump();
  EXPECT_EQ(rows[0].context.value("code.branch", std::string()), "main") << rows[0].context.dump();
  RunQuery derived;
  derived.where = "derived.val_loss_min < 0.6";
  derived.sort = "derived.val_loss_min";
  EXPECT_EQ(Ids(derived), (std::vector<std::string>{"demo-5", "demo-4", "demo-3"}));  // 2/i - 0.2
  RunQuery context;
  context.where = "context.code.branch = 'main' and context.code.dirty IN (true, false)";
  EXPECT_EQ(Ids(context).size(), 5u);

  auto keys = ListRunKeys(*project_);
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  auto has = [](const std::vector<RunKey>& list, const std::string& key, int64_t runs) {
    for (const auto& k : list) {
      if (k.key == key) return k.runs == runs;
    }
    return false;
  };
  EXPECT_TRUE(has(keys->params, "lr", 5));
  EXPECT_TRUE(has(keys->metrics, "acc", 4));
  EXPECT_TRUE(has(keys->metrics, "loss", 5));
  EXPECT_TRUE(has(keys->derived, "val_loss_min", 5));
  EXPECT_TRUE(has(keys->context, "host", 5));
  EXPECT_TRUE(keys->tags.empty());
}

}  // namespace
}  // namespace trail::api
