#include "base/safe_path.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/files.h"
#include "base/test_temp_dir.h"

namespace trail {
namespace {

using testing::TempDir;

TEST(SafePath, AcceptsPlainRelativePaths) {
  for (const char* p :
       {"model.bin", "a/b/c.txt", "saved_model/variables/variables.index", "..hidden", "a..b", ".gitignore"})
    EXPECT_TRUE(IsSafeRelativePath(p)) << p;
}

TEST(SafePath, RefusesPathsThatLeaveTheFolder) {
  using namespace std::string_literals;
  for (const std::string& p :
       {""s, "/abs/file"s, "../x"s, "a/b/../../../x"s, "a/.."s, ".."s, "./x"s, "a//b"s, "a/"s, "a\\..\\x"s, "a\0b"s})
    EXPECT_FALSE(IsSafeRelativePath(p)) << p;
}

TEST(SafePath, RepoFoldersAreRefusedWhenAsked) {
  EXPECT_TRUE(IsSafeRelativePath(".git/hooks/post-checkout"));
  EXPECT_FALSE(UnsafePathReason(".git/hooks/post-checkout", true).empty());
  EXPECT_FALSE(UnsafePathReason("sub/.GIT/config", true).empty());
  EXPECT_FALSE(UnsafePathReason(".trail/config.yaml", true).empty());
  EXPECT_TRUE(UnsafePathReason(".github/workflows/x.yml", true).empty());
}

TEST(SafePath, ErrorsNameThePathOnOneLine) {
  Status s = CheckRelativePath("../x\nevil", "artifact path");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("artifact path \"../x?evil\""), std::string::npos) << s.message();
  EXPECT_EQ(CheckPathName("a/b", "role").code(), Code::kInvalidArgument);
  EXPECT_TRUE(CheckPathName("train", "role").ok());
}

TEST(SafePath, LinksBelowTheRootAreRefused) {
  TempDir tmp, elsewhere;
  ASSERT_TRUE(MakeDirs(tmp.File("ds")).ok());
  ASSERT_EQ(::symlink(elsewhere.path().c_str(), tmp.File("ds/sub").c_str()), 0);
  Status s = CheckNoLinkBelow(tmp.path(), "ds/sub/file");
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find(tmp.File("ds/sub")), std::string::npos) << s.message();
  EXPECT_EQ(MakeDirsBelow(tmp.path(), "ds/sub/deeper").code(), Code::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(elsewhere.File("deeper")));
  // The last part may not be a link either: a restore would replace or write through it.
  EXPECT_EQ(CheckNoLinkBelow(tmp.path(), "ds/sub").code(), Code::kFailedPrecondition);
  EXPECT_TRUE(CheckNoLinkBelow(tmp.path(), "ds/missing/x").ok());
}

TEST(SafePath, MakeDirsBelowCreatesEachFolder) {
  TempDir tmp;
  std::set<std::string> checked;
  ASSERT_TRUE(MakeDirsBelow(tmp.path(), "a/b/c", &checked).ok());
  EXPECT_TRUE(IsDirectory(tmp.File("a/b/c")));
  EXPECT_TRUE(MakeDirsBelow(tmp.path(), "a/b/d", &checked).ok());
  ASSERT_TRUE(WriteFileAtomic(tmp.File("f"), "x").ok());
  EXPECT_EQ(MakeDirsBelow(tmp.path(), "f/g").code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace trail
