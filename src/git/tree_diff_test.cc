#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "git/git_test_util.h"
#include "git/repo.h"

namespace trail::git {
namespace {

using testing::GitRepoFixture;
using testing::Trim;

class DiffFilesTest : public GitRepoFixture {
 protected:
  // DiffFiles as text in `git diff --raw` style: "<old> <new> <path>" lines,
  // with 40 zeros for a missing side.
  std::string Raw(const std::vector<Change>& changes) const {
    std::string out;
    const std::string zero(40, '0');
    for (const Change& c : changes) {
      out +=
          (c.old_oid.empty() ? zero : c.old_oid) + " " + (c.new_oid.empty() ? zero : c.new_oid) + " " + c.path + "\n";
    }
    return out;
  }
  // The same, from the git CLI.
  std::string GitRaw(const std::string& a, const std::string& b, const std::string& filter) const {
    return GitOut("diff --raw --no-renames --no-abbrev " + a + " " + b +
                  " -- runs | "
                  "awk '{print $3, $4, $6}' | grep -E '" +
                  filter + "' | LC_ALL=C sort -k3,3");
  }
};

TEST_F(DiffFilesTest, MatchesGitOnAFewChangesAmongMany) {
  auto repo = Open();
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 3000; ++i) {
    const std::string dir = "runs/" + std::to_string(i % 30) + "/run-" + std::to_string(i);
    files.push_back({dir + "/run.yaml", "name: run-" + std::to_string(i) + "\n"});
    files.push_back({dir + "/metrics.csv", "step\n"});
  }
  files.push_back({"README", "x\n"});
  auto base = repo->WriteCommitFromFiles(files, {}, "base", {});
  ASSERT_TRUE(base.ok()) << base.status().message();
  ASSERT_TRUE(repo->SetRef("refs/heads/trail", *base, "base").ok());

  auto next = repo->CommitFiles("refs/heads/trail",
                                {{"runs/7/run-7/run.yaml", "name: run-7\nstatus: done\n"},
                                 {"runs/7/run-7/metrics.csv", "step\n1\n"},
                                 {"runs/12/run-12/run.yaml", "", true},
                                 {"runs/29/run-new/run.yaml", "name: new\n"},
                                 {"README", "changed outside the prefix\n"}},
                                "update", {});
  ASSERT_TRUE(next.ok()) << next.status().message();

  auto changes = repo->DiffFiles(*base, *next, "runs", "run.yaml");
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  ASSERT_EQ(changes->size(), 3u);
  EXPECT_EQ(Raw(*changes), GitRaw(*base, *next, "/run.yaml$"));
  EXPECT_EQ((*changes)[0].path, "runs/12/run-12/run.yaml");
  EXPECT_EQ((*changes)[0].new_oid, "");
  EXPECT_EQ((*changes)[1].path, "runs/29/run-new/run.yaml");
  EXPECT_EQ((*changes)[1].old_oid, "");

  auto all = repo->DiffFiles(*base, *next, "runs/", "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);
  EXPECT_EQ(Raw(*all), GitRaw(*base, *next, "."));

  auto none = repo->DiffFiles(*next, *next, "runs", "run.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(DiffFilesTest, FromTheEmptyTree) {
  auto repo = Open();
  auto commit = repo->WriteCommitFromFiles({{"runs/a/run.yaml", "a"}, {"runs/b/run.yaml", "b"}, {"runs/b/other", "o"}},
                                           {}, "m", {});
  ASSERT_TRUE(commit.ok());
  auto changes = repo->DiffFiles("", *commit, "runs", "run.yaml");
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].path, "runs/a/run.yaml");
  EXPECT_EQ((*changes)[0].old_oid, "");
  EXPECT_EQ((*changes)[0].new_oid, Trim(GitOut("rev-parse " + *commit + ":runs/a/run.yaml")));
}

TEST_F(DiffFilesTest, FileAndDirectorySwap) {
  auto repo = Open();
  auto a = repo->WriteCommitFromFiles({{"runs/x", "file"}, {"runs/y/run.yaml", "dir"}}, {}, "a", {});
  auto b = repo->WriteCommitFromFiles({{"runs/x/run.yaml", "now dir"}, {"runs/y", "now file"}}, {}, "b", {});
  ASSERT_TRUE(a.ok() && b.ok());
  auto changes = repo->DiffFiles(*a, *b, "runs", "");
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_EQ(Raw(*changes), GitRaw(*a, *b, "."));
  EXPECT_EQ(changes->size(), 4u);
}

}  // namespace
}  // namespace trail::git
