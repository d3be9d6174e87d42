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

class WriteCommitFromFilesTest : public GitRepoFixture {};

TEST_F(WriteCommitFromFilesTest, FourThousandFilesUnderTwentyDirectories) {
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < 4000; ++i) {
    files.push_back({"dir" + std::to_string(i % 20) + "/file-" + std::to_string(i) + ".txt",
                     "content " + std::to_string(i) + "\n"});
  }
  const std::string before = UserVisibleState();
  auto repo = Open();
  auto commit = repo->WriteCommitFromFiles(files, {}, "bulk", {"Gen", "gen@x"});
  ASSERT_TRUE(commit.ok()) << commit.status().message();

  EXPECT_EQ(Trim(GitOut("ls-tree -r " + *commit + " | wc -l")), "4000");
  EXPECT_EQ(Trim(GitOut("ls-tree " + *commit + " | wc -l")), "20");
  EXPECT_EQ(GitOut("show " + *commit + ":dir7/file-3347.txt"), "content 3347\n");
  EXPECT_EQ(Trim(GitOut("log -1 --format='%an %s' " + *commit)), "Gen bulk");
  EXPECT_EQ(Git("fsck --no-dangling"), 0);
  EXPECT_EQ(UserVisibleState(), before) << "no ref, index or file may change";
  // Readable through a Repo opened earlier, too.
  auto content = repo->ReadFileAt(*commit, "dir19/file-3999.txt");
  ASSERT_TRUE(content.ok()) << content.status().message();
  EXPECT_EQ(*content, "content 3999\n");
}

TEST_F(WriteCommitFromFilesTest, ParentsAndSmallSets) {
  auto repo = Open();
  auto first = repo->WriteCommitFromFiles({{"a/b/c.txt", "1"}, {"top", "2"}}, {}, "first", {});
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = repo->WriteCommitFromFiles({{"x", "3"}}, {*first}, "second", {});
  ASSERT_TRUE(second.ok());
  auto merge = repo->WriteCommitFromFiles({}, {*first, *second}, "merge", {});
  ASSERT_TRUE(merge.ok());
  EXPECT_EQ(Trim(GitOut("rev-list --parents -n 1 " + *merge)), *merge + " " + *first + " " + *second);
  EXPECT_EQ(Trim(GitOut("ls-tree -r --name-only " + *first)), "a/b/c.txt\ntop");
  EXPECT_EQ(Trim(GitOut("ls-tree -r " + *merge)), "");
  EXPECT_NE(Git("rev-parse --verify -q HEAD"), 0) << "no ref moves";
}

TEST_F(WriteCommitFromFilesTest, RejectsConflictingPaths) {
  auto repo = Open();
  EXPECT_EQ(repo->WriteCommitFromFiles({{"a", "1"}, {"a", "2"}}, {}, "m", {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(repo->WriteCommitFromFiles({{"a", "1"}, {"a/b", "2"}}, {}, "m", {}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(repo->WriteCommitFromFiles({{"a/b", "1"}, {"a", "2"}}, {}, "m", {}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(repo->WriteCommitFromFiles({{"../a", "1"}}, {}, "m", {}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(repo->WriteCommitFromFiles({{"a", "1"}}, {std::string(40, 'e')}, "m", {}).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace trail::git
