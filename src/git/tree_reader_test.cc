#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "git/git_test_util.h"
#include "git/repo.h"

namespace trail::git {
namespace {

using ::testing::ElementsAre;
using testing::GitRepoFixture;
using testing::Trim;

class TreeReaderTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("README", "top\n");
    Write("runs/000/fraud-58/run.yaml", "name: fraud-58\n");
    Write("runs/000/fraud-58/metrics.csv", "step,loss\n");
    Write("runs/000/fraud-59/run.yaml", "name: fraud-59\n");
    Write("runs/001/churn-1/run.yaml", "name: churn-1\n");
    Write("runs/001/churn-1/nested/run.yaml", "deeper\n");
    Write("runs/run.yaml.bak", "not a run\n");
    Write("other/run.yaml", "outside the prefix\n");
    CommitAll("data");
    head_ = Trim(GitOut("rev-parse HEAD"));
  }
  std::string head_;
};

TEST_F(TreeReaderTest, ReadFileAtAndReadBlob) {
  auto repo = Open();
  auto content = repo->ReadFileAt(head_, "runs/000/fraud-58/run.yaml");
  ASSERT_TRUE(content.ok()) << content.status().message();
  EXPECT_EQ(*content, "name: fraud-58\n");
  EXPECT_EQ(repo->ReadFileAt(head_, "runs/000/nope.yaml").status().code(), Code::kNotFound);
  EXPECT_EQ(repo->ReadFileAt(head_, "runs/000").status().code(), Code::kNotFound);
  EXPECT_EQ(repo->ReadFileAt("main", "README").value(), "top\n");

  auto blob = repo->ReadBlob(Trim(GitOut("rev-parse HEAD:README")));
  ASSERT_TRUE(blob.ok()) << blob.status().message();
  EXPECT_EQ(*blob, "top\n");
  EXPECT_EQ(repo->ReadBlob(std::string(40, 'a')).status().code(), Code::kNotFound);
  EXPECT_EQ(repo->ReadBlob("xyz").status().code(), Code::kInvalidArgument);
}

TEST_F(TreeReaderTest, ListDir) {
  auto repo = Open();
  auto root = repo->ListDir(head_, "");
  ASSERT_TRUE(root.ok()) << root.status().message();
  std::vector<std::string> names;
  for (const TreeEntry& e : *root) names.push_back(e.name + (e.is_tree ? "/" : ""));
  EXPECT_THAT(names, ElementsAre("README", "other/", "runs/"));
  EXPECT_EQ((*root)[0].oid, Trim(GitOut("rev-parse HEAD:README")));

  auto runs = repo->ListDir(head_, "runs/000");
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].name, "fraud-58");
  EXPECT_TRUE((*runs)[0].is_tree);
  EXPECT_EQ((*runs)[0].oid, Trim(GitOut("rev-parse HEAD:runs/000/fraud-58")));

  EXPECT_EQ(repo->ListDir(head_, "runs/999").status().code(), Code::kNotFound);
  EXPECT_EQ(repo->ListDir(head_, "README").status().code(), Code::kNotFound);
}

TEST_F(TreeReaderTest, ForEachFileVisitsInTreeOrder) {
  auto repo = Open();
  std::string visited;
  Status status = repo->ForEachFile(head_, "runs", "run.yaml", [&](const std::string& path, const std::string& oid) {
    visited += oid + "\t" + path + "\n";
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.message();
  // The same list, in the same order, as git prints it.
  EXPECT_EQ(visited, GitOut("ls-tree -r --format='%(objectname)\t%(path)' HEAD runs | "
                            "grep '/run.yaml$'"));

  int all = 0;
  ASSERT_TRUE(repo->ForEachFile(head_, "", "",
                                [&](const std::string&, const std::string&) {
                                  ++all;
                                  return Status::Ok();
                                })
                  .ok());
  EXPECT_EQ(all, 8);

  int none = 0;
  ASSERT_TRUE(repo->ForEachFile(head_, "missing/dir", "run.yaml",
                                [&](const std::string&, const std::string&) {
                                  ++none;
                                  return Status::Ok();
                                })
                  .ok());
  EXPECT_EQ(none, 0);
}

TEST_F(TreeReaderTest, ForEachFileStopsAtTheFirstError) {
  auto repo = Open();
  int calls = 0;
  Status status = repo->ForEachFile(head_, "runs/", "run.yaml", [&](const std::string& path, const std::string&) {
    ++calls;
    return Corrupt("bad " + path);
  });
  EXPECT_EQ(status.code(), Code::kCorrupt);
  EXPECT_EQ(status.message(), "bad runs/000/fraud-58/run.yaml");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace trail::git
