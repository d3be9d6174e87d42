#include "git/repo.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "git/git_test_util.h"

namespace trail::git {
namespace {

using testing::GitRepoFixture;
using testing::Quote;
using testing::Sh;
using testing::TempDir;
using testing::Trim;

class RepoTest : public GitRepoFixture {};

TEST_F(RepoTest, DiscoverFromASubdirectory) {
  Write("a/b/c/file.txt", "x\n");
  auto repo = Repo::Discover(root() + "/a/b/c");
  ASSERT_TRUE(repo.ok()) << repo.status().message();
  EXPECT_EQ((*repo)->workdir(), root());
  EXPECT_EQ((*repo)->gitdir(), root() + "/.git");
}

TEST_F(RepoTest, DiscoverOutsideAnyRepository) {
  TempDir outside;
  auto repo = Repo::Discover(outside.path());
  ASSERT_FALSE(repo.ok());
  EXPECT_EQ(repo.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(repo.status().message(), outside.path() + " is not inside a Git repository");
}

TEST_F(RepoTest, DiscoverRefusesBareRepositories) {
  TempDir bare;
  ASSERT_EQ(Sh("git init -q --bare " + Quote(bare.path())), 0);
  auto repo = Repo::Discover(bare.path());
  ASSERT_FALSE(repo.ok());
  EXPECT_EQ(repo.status().code(), Code::kFailedPrecondition);
}

TEST_F(RepoTest, InitCreatesARepositoryGitUnderstands) {
  TempDir dir;
  const std::string path = dir.path() + "/new/project";
  auto repo = Repo::Init(path);
  ASSERT_TRUE(repo.ok()) << repo.status().message();
  EXPECT_EQ((*repo)->workdir(), path);
  EXPECT_EQ(Trim(testing::ShOut("git -C " + Quote(path) + " rev-parse --is-bare-repository")), "false");
  auto head = (*repo)->Head();
  ASSERT_TRUE(head.ok()) << head.status().message();
  EXPECT_TRUE(head->unborn);
  EXPECT_EQ(head->commit, "");
  EXPECT_EQ(head->branch, Trim(testing::ShOut("git -C " + Quote(path) + " symbolic-ref --short HEAD")));
}

TEST_F(RepoTest, IdentityComesFromConfig) {
  auto repo = Open();
  Identity who = repo->identity();
  EXPECT_EQ(who.name, "Test User");
  EXPECT_EQ(who.email, "test@example.com");
  ASSERT_EQ(Git("config --unset user.email"), 0);
  EXPECT_EQ(Open()->identity().email, "");
}

TEST_F(RepoTest, HeadOnBranchUnbornAndDetached) {
  auto repo = Open();
  auto unborn = repo->Head();
  ASSERT_TRUE(unborn.ok()) << unborn.status().message();
  EXPECT_TRUE(unborn->unborn);
  EXPECT_EQ(unborn->branch, "main");

  Write("a", "1\n");
  CommitAll("one");
  auto on_branch = repo->Head();
  ASSERT_TRUE(on_branch.ok());
  EXPECT_FALSE(on_branch->unborn);
  EXPECT_EQ(on_branch->branch, "main");
  EXPECT_EQ(on_branch->commit, Trim(GitOut("rev-parse HEAD")));

  ASSERT_EQ(Git("checkout -q --detach"), 0);
  auto detached = repo->Head();
  ASSERT_TRUE(detached.ok());
  EXPECT_EQ(detached->branch, "");
  EXPECT_EQ(detached->commit, Trim(GitOut("rev-parse HEAD")));
}

TEST_F(RepoTest, SetAndResolveRefs) {
  Write("a", "1\n");
  CommitAll("one");
  const std::string first = Trim(GitOut("rev-parse HEAD"));
  Write("a", "2\n");
  CommitAll("two");
  const std::string second = Trim(GitOut("rev-parse HEAD"));
  const std::string before = UserVisibleState();

  auto repo = Open();
  auto missing = repo->ResolveRef("refs/trail/code/fraud-58");
  ASSERT_TRUE(missing.ok()) << missing.status().message();
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(repo->SetRef("refs/trail/code/fraud-58", first, "trail: code of fraud-58").ok());
  EXPECT_EQ(Trim(GitOut("rev-parse refs/trail/code/fraud-58")), first);
  ASSERT_TRUE(repo->SetRef("refs/trail/code/fraud-58", second, "moved").ok());
  auto resolved = repo->ResolveRef("refs/trail/code/fraud-58");
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->value_or(""), second);

  auto main = repo->ResolveRef("refs/heads/main");
  ASSERT_TRUE(main.ok());
  EXPECT_EQ(main->value_or(""), second);
  ASSERT_EQ(Git("tag -a -m annotated v1 " + first), 0);
  auto tag = repo->ResolveRef("refs/tags/v1");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->value_or(""), first) << "annotated tags are peeled to the commit";

  EXPECT_FALSE(repo->SetRef("refs/trail/x", std::string(40, '0'), "m").ok());
  EXPECT_FALSE(repo->SetRef("refs/trail/x", Trim(GitOut("rev-parse HEAD^{tree}")), "m").ok());
  EXPECT_EQ(repo->SetRef("refs/trail/bad..name", first, "m").code(), Code::kInvalidArgument);
  EXPECT_EQ(UserVisibleState(), before);
}

TEST_F(RepoTest, IsAncestor) {
  Write("a", "1\n");
  CommitAll("one");
  const std::string a = Trim(GitOut("rev-parse HEAD"));
  Write("a", "2\n");
  CommitAll("two");
  const std::string b = Trim(GitOut("rev-parse HEAD"));
  ASSERT_EQ(Git("checkout -q -b side " + a), 0);
  Write("c", "side\n");
  CommitAll("side");
  const std::string side = Trim(GitOut("rev-parse HEAD"));

  auto repo = Open();
  EXPECT_TRUE(repo->IsAncestor(a, b));
  EXPECT_FALSE(repo->IsAncestor(b, a));
  EXPECT_TRUE(repo->IsAncestor(a, a));
  EXPECT_TRUE(repo->IsAncestor(a, side));
  EXPECT_FALSE(repo->IsAncestor(b, side));
  EXPECT_FALSE(repo->IsAncestor(std::string(40, 'f'), b));
}

}  // namespace
}  // namespace trail::git
