#include "index/run_index.h"

#include <gtest/gtest.h>

#include <fstream>

#include "git/git_test_util.h"
#include "record/record.h"

namespace trail::index {
namespace {

using git::testing::GitRepoFixture;

class RunIndexTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("README", "code\n");
    CommitAll("init");
    auto r = git::Repo::Discover(root());
    ASSERT_TRUE(r.ok()) << r.status().message();
    repo_ = std::move(*r);
    index_path_ = root() + "/index.sqlite";
  }

  static Json MakeRecord(int n, double lr, const std::string& opt, double loss, const std::string& status) {
    Json r = Json::object();
    r["trail"] = 1;
    r["id"] = record::MakeRunId("p", n);
    r["number"] = n;
    r["uid"] = "uid" + std::to_string(n);
    r["status"] = status;
    r["started"] = "2026-11-0" + std::to_string(n % 9 + 1) + "T10:00:00.000Z";
    r["params"] = Json{{"lr", lr}, {"optimizer", opt}};
    r["metrics"] =
        Json{{"summary", Json{{"loss", Json{{"last", loss}, {"min", loss / 2}, {"max", 1.0}, {"count", 10}}}}}};
    return r;
  }

  void Commit(int n, double lr, const std::string& opt, double loss, const std::string& status = "finished") {
    std::string id = record::MakeRunId("p", n);
    auto c = repo_->CommitFiles("refs/heads/trail",
                                {{record::RecordPath(id, n), record::Serialize(MakeRecord(n, lr, opt, loss, status))}},
                                "run", {"T", "t@x"});
    ASSERT_TRUE(c.ok()) << c.status().message();
  }

  std::vector<std::string> Ids(RunIndex& idx, const ListQuery& q) {
    auto rows = idx.List(q);
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    std::vector<std::string> ids;
    if (rows.ok())
      for (const auto& r : *rows) ids.push_back(r.id);
    return ids;
  }

  std::unique_ptr<git::Repo> repo_;
  std::string index_path_;
};

TEST_F(RunIndexTest, SyncsIncrementallyAndQueries) {
  Commit(1, 0.001, "adam", 0.9);
  Commit(2, 0.1, "sgd", 0.3);
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 2);
  Commit(3, 0.05, "adam", 0.2);
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 3);

  ListQuery q;
  q.where = "metrics.loss < 0.5 and params.lr > 0.01";
  EXPECT_EQ(Ids(**idx, q), (std::vector<std::string>{"p-3", "p-2"}));
  q.where = "params.optimizer = 'adam'";
  q.sort = "metrics.loss";
  EXPECT_EQ(Ids(**idx, q), (std::vector<std::string>{"p-3", "p-1"}));
  q.where = "min(metrics.loss) < 0.2";
  q.sort.clear();
  EXPECT_EQ(Ids(**idx, q), (std::vector<std::string>{"p-3", "p-2"}));
  q.where = "metrics.loss <";
  auto bad = (*idx)->List(q);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("column"), std::string::npos);

  auto rows = (*idx)->List(ListQuery{});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].params["lr"], Json(0.05));
  EXPECT_EQ((*rows)[0].metrics["loss"]["count"], Json(10));
}

TEST_F(RunIndexTest, CorruptRecordIsAProblemNotAFailure) {
  Commit(1, 0.1, "adam", 0.5);
  auto c = repo_->CommitFiles("refs/heads/trail", {{"runs/000/p-2/run.yaml", "id: [broken\n"}}, "bad", {"T", "t@x"});
  ASSERT_TRUE(c.ok());
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 1);
  auto problems = (*idx)->Problems();
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_NE((*problems)[0].find("runs/000/p-2/run.yaml"), std::string::npos);
  // Fixing the record on the branch clears the problem.
  Commit(2, 0.2, "sgd", 0.4);
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 2);
  EXPECT_TRUE((*idx)->Problems()->empty());
}

TEST_F(RunIndexTest, GarbageFileIsRebuilt) {
  Commit(1, 0.1, "adam", 0.5);
  std::ofstream(index_path_, std::ios::binary) << std::string(8192, 'x');
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok()) << idx.status().message();
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 1);
}

TEST_F(RunIndexTest, RewrittenHistoryTriggersFullRebuild) {
  Commit(1, 0.1, "adam", 0.5);
  std::string first = git::testing::Trim(GitOut("rev-parse trail"));
  Commit(2, 0.2, "adam", 0.4);
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE(idx.ok());
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 2);
  ASSERT_EQ(Git("update-ref refs/heads/trail " + first), 0);
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 1);
  // A missing branch means no runs.
  ASSERT_EQ(Git("update-ref -d refs/heads/trail"), 0);
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ((*idx)->Count(), 0);
}

TEST_F(RunIndexTest, ArchivedHiddenUnlessAsked) {
  Commit(1, 0.1, "adam", 0.5);
  Json r = MakeRecord(2, 0.2, "adam", 0.4, "finished");
  r["archived"] = true;
  ASSERT_TRUE(
      repo_->CommitFiles("refs/heads/trail", {{record::RecordPath("p-2", 2), record::Serialize(r)}}, "a", {"T", "t@x"})
          .ok());
  auto idx = RunIndex::Open(index_path_);
  ASSERT_TRUE((*idx)->Sync(*repo_, "refs/heads/trail").ok());
  EXPECT_EQ(Ids(**idx, ListQuery{}), (std::vector<std::string>{"p-1"}));
  ListQuery all;
  all.include_archived = true;
  EXPECT_EQ(Ids(**idx, all).size(), 2u);
}

}  // namespace
}  // namespace trail::index
