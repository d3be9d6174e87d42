#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "git/git_test_util.h"
#include "git/repo.h"

namespace trail::git {
namespace {

using ::testing::ElementsAre;
using testing::GitRepoFixture;
using ::testing::IsEmpty;
using testing::Quote;
using testing::Sh;
using testing::Trim;

class SnapshotTest : public GitRepoFixture {
 protected:
  // path -> mode per `git ls-tree -r`.
  std::map<std::string, std::string> LsTree(const std::string& commit) const {
    std::map<std::string, std::string> out;
    std::istringstream in(GitOut("ls-tree -r " + commit));
    std::string line;
    while (std::getline(in, line)) {
      // "<mode> <type> <oid>\t<path>"
      auto tab = line.find('\t');
      out[line.substr(tab + 1)] = line.substr(0, line.find(' '));
    }
    return out;
  }
  std::string Show(const std::string& commit, const std::string& path) const {
    return GitOut("show " + commit + ":" + Quote(path));
  }
  std::string AllRefs() const { return GitOut("for-each-ref --format='%(refname) %(objectname)'"); }
};

TEST_F(SnapshotTest, RecordsExactlyWhatWouldRunAndTouchesNothing) {
  Write("a.txt", "a1\n");
  Write("dir/b.txt", "b1\n");
  Write("del.txt", "to be deleted\n");
  Write("staged.txt", "s1\n");
  Write("staged_then_edited.txt", "t1\n");
  Write("run.sh", "#!/bin/sh\necho hi\n");
  Write(".gitignore", "*.log\nbuild/\n");
  Write("sub/.gitignore", "secret.txt\n");
  ASSERT_EQ(Sh("ln -s a.txt " + Quote(root() + "/link")), 0);
  CommitAll("initial");
  const std::string head = Trim(GitOut("rev-parse HEAD"));

  Write("a.txt", "a2 unstaged\n");
  Write("staged.txt", "s2 staged\n");
  ASSERT_EQ(Git("add staged.txt"), 0);
  Write("staged_then_edited.txt", "t2 staged\n");
  ASSERT_EQ(Git("add staged_then_edited.txt"), 0);
  Write("staged_then_edited.txt", "t3 edited after staging\n");
  ASSERT_EQ(Sh("rm " + Quote(root() + "/del.txt")), 0);
  ASSERT_EQ(Sh("chmod +x " + Quote(root() + "/run.sh")), 0);
  Write("untracked.txt", "u\n");
  Write("new/deep/file.txt", "deep\n");
  ASSERT_EQ(Sh("ln -s dir/b.txt " + Quote(root() + "/newlink")), 0);
  Write("debug.log", "ignored\n");
  Write("build/out.bin", "ignored\n");
  Write("sub/secret.txt", "ignored by a nested .gitignore\n");
  Write("big.bin", std::string(4096, 'x'));
  Write("exactly_at_limit.bin", std::string(1024, 'y'));

  const std::string before = UserVisibleState();
  const std::string refs_before = AllRefs();
  auto repo = Open();
  ASSERT_NE(repo, nullptr);
  SnapshotOptions opts;
  opts.max_untracked_file_bytes = 1024;
  auto snap = repo->SnapshotWorktree(opts, "trail: snapshot for fraud-58", {"Ann", "ann@x.org"});
  ASSERT_TRUE(snap.ok()) << snap.status().message();

  // The cardinal rule: the user sees no difference at all.
  EXPECT_EQ(UserVisibleState(), before);
  EXPECT_EQ(AllRefs(), refs_before);

  EXPECT_TRUE(snap->dirty);
  EXPECT_EQ(Trim(GitOut("rev-parse " + snap->commit + "^")), head);
  EXPECT_EQ(Trim(GitOut("rev-parse " + snap->commit + "^{tree}")), snap->tree);
  EXPECT_EQ(Trim(GitOut("log -1 --format='%an <%ae>|%cn <%ce>|%s' " + snap->commit)),
            "Ann <ann@x.org>|Ann <ann@x.org>|trail: snapshot for fraud-58");

  auto tree = LsTree(snap->commit);
  EXPECT_EQ(Show(snap->commit, "a.txt"), "a2 unstaged\n");
  EXPECT_EQ(Show(snap->commit, "dir/b.txt"), "b1\n");
  EXPECT_EQ(Show(snap->commit, "staged.txt"), "s2 staged\n");
  EXPECT_EQ(Show(snap->commit, "staged_then_edited.txt"), "t3 edited after staging\n");
  EXPECT_EQ(tree.count("del.txt"), 0u);
  EXPECT_EQ(tree["run.sh"], "100755");
  EXPECT_EQ(Show(snap->commit, "untracked.txt"), "u\n");
  EXPECT_EQ(Show(snap->commit, "new/deep/file.txt"), "deep\n");
  EXPECT_EQ(tree["link"], "120000");
  EXPECT_EQ(tree["newlink"], "120000");
  EXPECT_EQ(Show(snap->commit, "newlink"), "dir/b.txt");
  EXPECT_EQ(tree.count("debug.log"), 0u);
  EXPECT_EQ(tree.count("build/out.bin"), 0u);
  EXPECT_EQ(tree.count("sub/secret.txt"), 0u);
  EXPECT_EQ(tree.count("big.bin"), 0u);
  EXPECT_EQ(tree["exactly_at_limit.bin"], "100644");

  EXPECT_THAT(snap->skipped, ElementsAre("big.bin"));
  EXPECT_THAT(snap->changed, ElementsAre("a.txt", "del.txt", "exactly_at_limit.bin", "new/deep/file.txt", "newlink",
                                         "run.sh", "staged.txt", "staged_then_edited.txt", "untracked.txt"));

  // Snapshotting again gives the same tree, still touching nothing.
  auto again = repo->SnapshotWorktree(opts, "again", {});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->tree, snap->tree);
  EXPECT_EQ(Trim(GitOut("log -1 --format='%an <%ae>' " + again->commit)), "trail <trail@localhost>");
  EXPECT_EQ(UserVisibleState(), before);
  EXPECT_EQ(AllRefs(), refs_before);
}

TEST_F(SnapshotTest, CleanTreeIsHeadTree) {
  Write("a.txt", "a\n");
  Write("d/e.txt", "e\n");
  CommitAll("initial");
  const std::string before = UserVisibleState();
  auto repo = Open();
  auto snap = repo->SnapshotWorktree({}, "snap", {});
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_FALSE(snap->dirty);
  EXPECT_THAT(snap->changed, IsEmpty());
  EXPECT_THAT(snap->skipped, IsEmpty());
  EXPECT_EQ(snap->tree, Trim(GitOut("rev-parse HEAD^{tree}")));
  EXPECT_EQ(Trim(GitOut("rev-parse " + snap->commit + "^")), Trim(GitOut("rev-parse HEAD")));
  EXPECT_EQ(UserVisibleState(), before);
}

TEST_F(SnapshotTest, RevertedEditIsNotAChange) {
  Write("a.txt", "a\n");
  CommitAll("initial");
  Write("a.txt", "changed\n");
  ASSERT_EQ(Git("add a.txt"), 0);
  Write("a.txt", "a\n");  // staged differs, working tree matches HEAD again
  auto repo = Open();
  auto snap = repo->SnapshotWorktree({}, "snap", {});
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_FALSE(snap->dirty);
  EXPECT_EQ(snap->tree, Trim(GitOut("rev-parse HEAD^{tree}")));
}

TEST_F(SnapshotTest, DryRunFindsChangesAndWritesNoObject) {
  Write("a.txt", "a\n");
  CommitAll("initial");
  Write("a.txt", "edited\n");
  Write("new.txt", "a file git has never seen\n");
  const std::string objects_before = GitOut("count-objects -v");
  auto repo = Open();
  git::SnapshotOptions opts;
  opts.dry_run = true;
  auto snap = repo->SnapshotWorktree(opts, "snap", {});
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_TRUE(snap->dirty);
  EXPECT_THAT(snap->changed, ElementsAre("a.txt", "new.txt"));
  EXPECT_TRUE(snap->commit.empty());
  EXPECT_EQ(GitOut("count-objects -v"), objects_before);
}

TEST_F(SnapshotTest, UnbornHead) {
  Write("a.txt", "a\n");
  Write("lib/b.py", "print(1)\n");
  ASSERT_EQ(Git("add a.txt"), 0);
  Write("a.txt", "a edited after add\n");
  const std::string before = UserVisibleState();
  auto repo = Open();
  auto snap = repo->SnapshotWorktree({}, "first", {});
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_EQ(UserVisibleState(), before);
  EXPECT_NE(Git("rev-parse --verify -q HEAD"), 0) << "HEAD must stay unborn";
  EXPECT_TRUE(snap->dirty);
  // A root commit: rev-list --parents prints only the commit itself.
  EXPECT_EQ(Trim(GitOut("rev-list --parents -n 1 " + snap->commit)), snap->commit);
  EXPECT_EQ(Show(snap->commit, "a.txt"), "a edited after add\n");
  EXPECT_EQ(Show(snap->commit, "lib/b.py"), "print(1)\n");
  EXPECT_THAT(snap->changed, ElementsAre("a.txt", "lib/b.py"));
}

TEST_F(SnapshotTest, FileAndDirectorySwapPlaces) {
  Write("x", "file x\n");
  Write("d/e.txt", "e\n");
  Write("d/f.txt", "f\n");
  CommitAll("initial");
  ASSERT_EQ(Sh("cd " + Quote(root()) + " && rm x && rm -r d"), 0);
  Write("x/y.txt", "now a directory\n");
  Write("d", "now a file\n");
  const std::string before = UserVisibleState();
  auto repo = Open();
  auto snap = repo->SnapshotWorktree({}, "swap", {});
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_EQ(UserVisibleState(), before);
  auto tree = LsTree(snap->commit);
  EXPECT_EQ(tree.size(), 2u);
  EXPECT_EQ(Show(snap->commit, "x/y.txt"), "now a directory\n");
  EXPECT_EQ(Show(snap->commit, "d"), "now a file\n");
}

TEST_F(SnapshotTest, DetachedHeadIsTheParent) {
  Write("a.txt", "1\n");
  CommitAll("one");
  Write("a.txt", "2\n");
  CommitAll("two");
  ASSERT_EQ(Git("checkout -q --detach HEAD~1"), 0);
  Write("a.txt", "3\n");
  auto repo = Open();
  auto snap = repo->SnapshotWorktree({}, "snap", {});
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_EQ(Trim(GitOut("rev-parse " + snap->commit + "^")), Trim(GitOut("rev-parse HEAD")));
  EXPECT_EQ(Show(snap->commit, "a.txt"), "3\n");
}

TEST_F(SnapshotTest, SparseCheckoutFilesAreNotDeletions) {
  Write("a/x", "in the cone\n");
  Write("b/y", "outside the cone\n");
  CommitAll("initial");
  ASSERT_EQ(Git("sparse-checkout set a"), 0);
  ASSERT_FALSE(std::filesystem::exists(root() + "/b/y"));
  auto repo = Open();
  auto snap = repo->SnapshotWorktree({}, "snap", {});
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_FALSE(snap->dirty);
  EXPECT_EQ(snap->tree, Trim(GitOut("rev-parse HEAD^{tree}")));
}

TEST_F(SnapshotTest, UntrackedNestedRepositoryIsSkipped) {
  Write("a.txt", "a\n");
  CommitAll("initial");
  ASSERT_EQ(Sh("git init -q " + Quote(root() + "/vendor/lib")), 0);
  Write("vendor/lib/code.py", "x\n");
  auto repo = Open();
  auto snap = repo->SnapshotWorktree({}, "snap", {});
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_THAT(snap->skipped, ElementsAre("vendor/lib/"));
  EXPECT_THAT(snap->changed, IsEmpty());
  EXPECT_TRUE(snap->dirty) << "the working tree holds something the snapshot lacks";
}

// Untracked secrets by convention stay out, whichever way the snapshot is
// made; a tracked one is the user's, already in Git, and stays in.
TEST_F(SnapshotTest, UntrackedSecretFilesAreExcluded) {
  Write("a.txt", "a\n");
  Write("tracked.pem", "committed on purpose\n");
  CommitAll("initial");
  Write("tracked.pem", "edited\n");
  Write(".env", "TOKEN=abc\n");
  Write(".ssh/id_rsa", "-----BEGIN KEY-----\n");
  Write("train.py", "print(1)\n");
  auto repo = Open();
  for (bool cli : {false, true}) {
    SCOPED_TRACE(cli ? "git command line" : "libgit2");
    auto snap = cli ? repo->SnapshotWorktreeWithGitCli({}, "snap", {}) : repo->SnapshotWorktree({}, "snap", {});
    ASSERT_TRUE(snap.ok()) << snap.status().message();
    EXPECT_THAT(snap->excluded, ElementsAre(".env", ".ssh/id_rsa"));
    EXPECT_THAT(snap->changed, ElementsAre("tracked.pem", "train.py"));
    EXPECT_TRUE(snap->dirty);
    auto files = LsTree(snap->commit);
    EXPECT_EQ(files.count(".env"), 0u);
    EXPECT_EQ(files.count(".ssh/id_rsa"), 0u);
    EXPECT_EQ(files.count("train.py"), 1u);
    EXPECT_EQ(Show(snap->commit, "tracked.pem"), "edited\n");
  }
  SnapshotOptions keep_all;
  keep_all.secret_files.clear();
  auto snap = repo->SnapshotWorktree(keep_all, "snap", {});
  ASSERT_TRUE(snap.ok()) << snap.status().message();
  EXPECT_THAT(snap->excluded, IsEmpty());
  EXPECT_EQ(LsTree(snap->commit).count(".env"), 1u);
}

}  // namespace
}  // namespace trail::git
