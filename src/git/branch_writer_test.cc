#include <gtest/gtest.h>

#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "git/git_test_util.h"
#include "git/repo.h"

namespace trail::git {
namespace {

using testing::GitRepoFixture;
using testing::Trim;

constexpr char kBranch[] = "refs/heads/trail";

class CommitFilesTest : public GitRepoFixture {
 protected:
  void SetUp() override {
    GitRepoFixture::SetUp();
    Write("train.py", "print('train')\n");
    CommitAll("initial");
  }
  std::string Show(const std::string& spec) const { return GitOut("show " + testing::Quote(spec)); }
  bool Exists(const std::string& spec) const { return Git("cat-file -e " + testing::Quote(spec)) == 0; }
};

TEST_F(CommitFilesTest, CreatesUpdatesAndRemovesWithoutTouchingTheCheckout) {
  Write("train.py", "print('edited, uncommitted')\n");
  Write("notes.txt", "untracked\n");
  const std::string before = UserVisibleState();
  auto repo = Open();

  auto first = repo->CommitFiles(kBranch,
                                 {{"runs/000/fraud-58/run.yaml", "name: fraud-58\n"},
                                  {"runs/000/fraud-59/run.yaml", "name: fraud-59\n"},
                                  {"README", "trail data\n"}},
                                 "trail: record fraud-58", {"Ann", "ann@x.org"});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(Trim(GitOut("rev-parse trail")), *first);
  EXPECT_EQ(Show("trail:runs/000/fraud-58/run.yaml"), "name: fraud-58\n");
  EXPECT_EQ(Show("trail:README"), "trail data\n");
  EXPECT_EQ(Trim(GitOut("rev-list --count trail")), "1");
  EXPECT_EQ(Trim(GitOut("log -1 --format='%an <%ae> %s' trail")), "Ann <ann@x.org> trail: record fraud-58");
  EXPECT_EQ(Trim(GitOut("reflog show --format=%gs trail")), "trail: record fraud-58");
  EXPECT_EQ(UserVisibleState(), before);

  auto second = repo->CommitFiles(kBranch,
                                  {{"runs/000/fraud-58/run.yaml", "name: fraud-58\nstatus: done\n"},
                                   {"runs/000/fraud-59/run.yaml", "", /*remove=*/true},
                                   {"runs/001/x/run.yaml", "name: x\n"},
                                   {"never/existed.txt", "", /*remove=*/true}},
                                  "trail: update", {});
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(Trim(GitOut("rev-parse trail^")), *first);
  EXPECT_EQ(Show("trail:runs/000/fraud-58/run.yaml"), "name: fraud-58\nstatus: done\n");
  EXPECT_FALSE(Exists("trail:runs/000/fraud-59/run.yaml"));
  EXPECT_FALSE(Exists("trail:runs/000/fraud-59")) << "an emptied directory disappears";
  EXPECT_EQ(Show("trail:runs/001/x/run.yaml"), "name: x\n");
  EXPECT_EQ(Git("fsck --no-dangling"), 0);
  EXPECT_EQ(UserVisibleState(), before);

  // Writes that change nothing make no commit.
  auto same = repo->CommitFiles(kBranch, {{"README", "trail data\n"}}, "noop", {});
  ASSERT_TRUE(same.ok()) << same.status().message();
  EXPECT_EQ(*same, *second);

  // Removing a directory removes what is under it; the last write to a path wins.
  auto third =
      repo->CommitFiles(kBranch, {{"runs/001", "", true}, {"README", "first\n"}, {"README", "second\n"}}, "rm", {});
  ASSERT_TRUE(third.ok()) << third.status().message();
  EXPECT_FALSE(Exists("trail:runs/001"));
  EXPECT_EQ(Show("trail:README"), "second\n");
}

TEST_F(CommitFilesTest, RefusesTheCheckedOutBranch) {
  const std::string before = UserVisibleState();
  auto repo = Open();
  auto result = repo->CommitFiles("refs/heads/main", {{"x", "y"}}, "m", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(UserVisibleState(), before);
}

TEST_F(CommitFilesTest, RefusesTheBranchOfAnotherWorktree) {
  ASSERT_EQ(Git("branch trail"), 0);
  testing::TempDir other;
  ASSERT_EQ(Git("worktree add -q " + testing::Quote(other.path() + "/wt") + " trail"), 0);
  auto repo = Open();
  auto result = repo->CommitFiles(kBranch, {{"x", "y"}}, "m", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kFailedPrecondition);
  ASSERT_EQ(Git("worktree remove --force " + testing::Quote(other.path() + "/wt")), 0);
}

TEST_F(CommitFilesTest, RejectsBadPathsAndRefNames) {
  auto repo = Open();
  for (const char* bad : {"", "/abs", "a//b", "../x", "a/./b", ".git/config", "x/.GIT/y", "dir/"}) {
    auto result = repo->CommitFiles(kBranch, {{bad, "x"}}, "m", {});
    EXPECT_EQ(result.status().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(repo->CommitFiles("trail", {{"a", "b"}}, "m", {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(repo->CommitFiles("refs/heads/a..b", {{"a", "b"}}, "m", {}).status().code(), Code::kInvalidArgument);
  // A file cannot replace a directory.
  ASSERT_TRUE(repo->CommitFiles(kBranch, {{"d/f", "x"}}, "m", {}).ok());
  EXPECT_EQ(repo->CommitFiles(kBranch, {{"d", "x"}}, "m", {}).status().code(), Code::kInvalidArgument);
  EXPECT_NE(Git("rev-parse --verify -q refs/heads/a..b"), 0);
}

// Eight writers, each with its own Repo (as separate processes would have)
// and no lock, start at the same instant; every commit must land. Each lost
// compare-and-swap means another writer's commit landed, so with eight
// writers nobody loses more than seven times.
TEST_F(CommitFilesTest, ConcurrentWritersAllLand) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::unique_ptr<Repo>> repos;
    for (int t = 0; t < kThreads; ++t) repos.push_back(Open());
    std::vector<std::string> errors(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const std::string path = "runs/" + std::to_string(round) + "/w" + std::to_string(t) + "/run.yaml";
        start.arrive_and_wait();
        auto result = repos[t]->CommitFiles(kBranch, {{path, path + "\n"}}, "writer", {});
        if (!result.ok()) errors[t] = result.status().message();
      });
    }
    for (auto& thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(errors[t], "") << "round " << round << " thread " << t;
  }
  EXPECT_EQ(Trim(GitOut("ls-tree -r --name-only trail | wc -l")), std::to_string(kThreads * kRounds));
  EXPECT_EQ(Trim(GitOut("rev-list --count trail")), std::to_string(kThreads * kRounds));
  EXPECT_EQ(Show("trail:runs/3/w4/run.yaml"), "runs/3/w4/run.yaml\n");
  EXPECT_EQ(Git("fsck --no-dangling"), 0);
}

}  // namespace
}  // namespace trail::git
