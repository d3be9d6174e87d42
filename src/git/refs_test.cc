#include <gtest/gtest.h>

#include <string>

#include "git/git_test_util.h"
#include "git/repo.h"

namespace trail::git {
namespace {

using testing::GitRepoFixture;
using testing::Trim;

constexpr char kRefsBranch[] = "refs/heads/trail";
const Identity kWho{"Ann", "ann@x.org"};

class MergePiecesTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("train.py", "print('train')\n");
    CommitAll("initial");
  }
};

TEST_F(MergePiecesTest, MoveRefIsACompareAndSwap) {
  auto repo = Open();
  auto one = repo->CommitFiles(kRefsBranch, {{"a", "1\n"}}, "one", kWho);
  auto two = repo->CommitFiles(kRefsBranch, {{"b", "2\n"}}, "two", kWho);
  ASSERT_TRUE(one.ok() && two.ok());
  // Expecting the old tip: refused, nothing moves.
  auto moved = repo->MoveRef(kRefsBranch, *one, *one, "back");
  ASSERT_TRUE(moved.ok()) << moved.status().message();
  EXPECT_FALSE(*moved);
  EXPECT_EQ(Trim(GitOut("rev-parse trail")), *two);
  moved = repo->MoveRef(kRefsBranch, *one, *two, "back");
  ASSERT_TRUE(moved.ok() && *moved);
  EXPECT_EQ(Trim(GitOut("rev-parse trail")), *one);
  // "" expects no ref at all.
  moved = repo->MoveRef("refs/heads/other", *one, "", "create");
  ASSERT_TRUE(moved.ok() && *moved);
  moved = repo->MoveRef("refs/heads/other", *two, "", "create again");
  ASSERT_TRUE(moved.ok());
  EXPECT_FALSE(*moved);
  EXPECT_TRUE(repo->DeleteRef("refs/heads/other").ok());
  EXPECT_TRUE(repo->DeleteRef("refs/heads/other").ok());  // already gone: fine
  EXPECT_FALSE(repo->ResolveRef("refs/heads/other")->has_value());
}

TEST_F(MergePiecesTest, MergeBaseOfRelatedAndUnrelatedHistories) {
  auto repo = Open();
  auto base = repo->CommitFiles(kRefsBranch, {{"a", "1\n"}}, "base", kWho);
  ASSERT_TRUE(base.ok());
  auto left = repo->CommitFiles(kRefsBranch, {{"b", "2\n"}}, "left", kWho);
  ASSERT_TRUE(repo->MoveRef("refs/heads/right", *base, "", "branch").ok());
  auto right = repo->CommitFiles("refs/heads/right", {{"c", "3\n"}}, "right", kWho);
  ASSERT_TRUE(left.ok() && right.ok());
  auto found = repo->MergeBase(*left, *right);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, *base);
  auto lonely = repo->CommitFiles("refs/heads/lonely", {{"d", "4\n"}}, "root", kWho);
  ASSERT_TRUE(lonely.ok());
  found = repo->MergeBase(*left, *lonely);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(MergePiecesTest, WriteCommitOntoMakesAMergeOfTheGivenParentsAndMovesNoRef) {
  auto repo = Open();
  auto left = repo->CommitFiles(kRefsBranch, {{"runs/000/p-1/run.yaml", "id: p-1\n"}}, "left", kWho);
  auto right =
      repo->CommitFiles("refs/heads/right", {{"runs/000/p-2/run.yaml", "id: p-2\n"}, {"x", "gone\n"}}, "right", kWho);
  ASSERT_TRUE(left.ok() && right.ok());
  auto merge = repo->WriteCommitOnto(*right, {{"runs/000/p-1/run.yaml", "id: p-1\n"}, {"x", "", true}}, {*left, *right},
                                     "merge", kWho);
  ASSERT_TRUE(merge.ok()) << merge.status().message();
  EXPECT_EQ(Trim(GitOut("rev-parse trail")), *left);
  EXPECT_EQ(Trim(GitOut("rev-parse " + *merge + "^1")), *left);
  EXPECT_EQ(Trim(GitOut("rev-parse " + *merge + "^2")), *right);
  EXPECT_EQ(Trim(GitOut("ls-tree -r --name-only " + *merge)), "runs/000/p-1/run.yaml\nruns/000/p-2/run.yaml");
}

}  // namespace
}  // namespace trail::git
