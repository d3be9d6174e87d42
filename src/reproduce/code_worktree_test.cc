// AddSnapshotWorktree: a run's snapshot checked out beside the user's work tree, never in it.
#include "reproduce/code_worktree.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/test_temp_dir.h"
#include "git/git_test_util.h"
#include "project/project.h"

namespace trail::reproduce {
namespace {

using git::testing::GitRepoFixture;

class CodeWorktreeTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("train.py", "print('v1')\n");
    CommitAll("v1");
    InitOptions opts;
    opts.name = "p";
    ASSERT_TRUE(Project::Init(root(), opts).ok());
    CommitAll("trail init");
    snapshot_ = GitOut("rev-parse HEAD");
    while (!snapshot_.empty() && snapshot_.back() == '\n') snapshot_.pop_back();
    // The user goes on working: an edit, a staged file, an untracked one.
    Write("train.py", "print('v2, not committed')\n");
    Write("staged.py", "x = 1\n");
    ASSERT_EQ(Git("add staged.py"), 0);
    Write("untracked.txt", "mine\n");
    auto p = Project::Open(root());
    ASSERT_TRUE(p.ok()) << p.status().message();
    project_ = std::move(*p);
  }

  Json Record() const { return Json{{"id", "p-1"}, {"code", {{"snapshot", snapshot_}}}}; }

  std::unique_ptr<Project> project_;
  std::string snapshot_;
  trail::testing::TempDir elsewhere_;
};

TEST_F(CodeWorktreeTest, ChecksOutTheSnapshotWithoutTouchingTheUsersTree) {
  const std::string before = UserVisibleState();
  auto commit = SnapshotCommit(*project_, Record());
  ASSERT_TRUE(commit.ok()) << commit.status().message();
  EXPECT_EQ(*commit, snapshot_);
  auto dir = AddSnapshotWorktree(*project_, "p-1", *commit, "");
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  EXPECT_EQ(*dir, DefaultWorktreeDir(*project_, "p-1"));
  EXPECT_EQ(git::testing::ShOut("cat " + git::testing::Quote(*dir + "/train.py")), "print('v1')\n");
  EXPECT_TRUE(std::filesystem::exists(*dir + "/.trail/config.yaml"));
  EXPECT_FALSE(std::filesystem::exists(*dir + "/untracked.txt"));
  EXPECT_EQ(UserVisibleState(), before);

  // A second reproduction replaces trail's own worktree, whatever was left in it.
  std::ofstream(*dir + "/leftover.txt") << "x";
  auto again = AddSnapshotWorktree(*project_, "p-1", *commit, "");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(std::filesystem::exists(*again + "/leftover.txt"));
  EXPECT_EQ(UserVisibleState(), before);
}

TEST_F(CodeWorktreeTest, DirMustBeEmptyOrAbsent) {
  std::string empty = elsewhere_.path() + "/empty";
  std::filesystem::create_directories(empty);
  auto ok = AddSnapshotWorktree(*project_, "p-1", snapshot_, empty);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(*ok, empty);
  elsewhere_.Write("full/keep.txt", "mine");
  auto refused = AddSnapshotWorktree(*project_, "p-1", snapshot_, elsewhere_.path() + "/full");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(git::testing::ShOut("cat " + git::testing::Quote(elsewhere_.path() + "/full/keep.txt")), "mine");
}

TEST_F(CodeWorktreeTest, NoSnapshotIsAClearError) {
  auto none = SnapshotCommit(*project_, Json{{"id", "p-1"}});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("without a code snapshot"), std::string::npos);
  auto bad = SnapshotCommit(*project_, Json{{"id", "p-1"}, {"code", {{"snapshot", "--upload-pack=x"}}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kCorrupt);
  auto absent = SnapshotCommit(*project_, Json{{"id", "p-1"}, {"code", {{"snapshot", std::string(40, 'a')}}}});
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.status().message().find("not in this repository"), std::string::npos);
  EXPECT_FALSE(AddSnapshotWorktree(*project_, "../p-1", snapshot_, "").ok());
}

}  // namespace
}  // namespace trail::reproduce
