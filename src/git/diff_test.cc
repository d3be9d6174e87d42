#include <gtest/gtest.h>

#include <string>

#include "git/git_test_util.h"
#include "git/repo.h"

namespace trail::git {
namespace {

using testing::GitRepoFixture;
using testing::Trim;

class DiffTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("train.py", "lr = 0.1\nepochs = 3\n");
    Write("data.py", "load()\n");
    CommitAll("one");
    a_ = Trim(GitOut("rev-parse HEAD"));
    Write("train.py", "lr = 0.01\nepochs = 3\nseed = 7\n");
    Write("model.py", "class Net: pass\n");
    ASSERT_EQ(Git("rm -q data.py"), 0);
    CommitAll("two");
    b_ = Trim(GitOut("rev-parse HEAD"));
  }
  std::string a_, b_;
};

TEST_F(DiffTest, StatLooksLikeGitDiffStat) {
  auto repo = Open();
  auto stat = repo->DiffStat(a_, b_);
  ASSERT_TRUE(stat.ok()) << stat.status().message();
  EXPECT_NE(stat->find("train.py"), std::string::npos) << *stat;
  EXPECT_NE(stat->find("model.py"), std::string::npos) << *stat;
  EXPECT_NE(stat->find("data.py"), std::string::npos) << *stat;
  // The summary line is exactly git's.
  const std::string git_summary = Trim(GitOut("diff --stat " + a_ + " " + b_ + " | tail -1"));
  EXPECT_NE(stat->find(git_summary), std::string::npos) << *stat << "\nvs\n" << git_summary;

  auto same = repo->DiffStat(b_, b_);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, "");
}

TEST_F(DiffTest, PatchAppliesLikeGitDiff) {
  auto repo = Open();
  auto patch = repo->DiffPatch(a_, b_);
  ASSERT_TRUE(patch.ok()) << patch.status().message();
  EXPECT_NE(patch->find("diff --git a/train.py b/train.py"), std::string::npos) << *patch;
  EXPECT_NE(patch->find("-lr = 0.1\n+lr = 0.01\n"), std::string::npos) << *patch;
  EXPECT_NE(patch->find("+seed = 7\n"), std::string::npos) << *patch;
  EXPECT_NE(patch->find("new file mode 100644"), std::string::npos) << *patch;
  EXPECT_NE(patch->find("deleted file mode 100644"), std::string::npos) << *patch;

  // The real proof: the patch takes commit a to commit b.
  ASSERT_EQ(Git("checkout -q --detach " + a_), 0);
  Write("change.patch", *patch);
  ASSERT_EQ(Git("apply change.patch"), 0);
  ASSERT_EQ(Git("add -A . ':!change.patch'"), 0);
  EXPECT_EQ(Trim(GitOut("write-tree")), Trim(GitOut("rev-parse " + b_ + "^{tree}")));

  auto from_empty = repo->DiffPatch("", a_);
  ASSERT_TRUE(from_empty.ok());
  EXPECT_NE(from_empty->find("+load()"), std::string::npos);
}

}  // namespace
}  // namespace trail::git
