#include "base/paths.h"

#include <gtest/gtest.h>

namespace trail {
namespace {

TEST(JoinPathTest, OneSlashBetween) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("a", ""), "a/");
  EXPECT_EQ(JoinPath("a", "/abs"), "/abs");
  EXPECT_EQ(JoinPath("a", "../x"), "a/../x");
}

TEST(DirNameTest, LikeDirname) {
  EXPECT_EQ(DirName("/a/b"), "/a");
  EXPECT_EQ(DirName("a/b"), "a");
  EXPECT_EQ(DirName("/a"), "/");
  EXPECT_EQ(DirName("/"), "/");
  EXPECT_EQ(DirName("a"), ".");
  EXPECT_EQ(DirName(""), ".");
  EXPECT_EQ(DirName("a/"), ".");
  EXPECT_EQ(DirName("a/b/"), "a");
  EXPECT_EQ(DirName("/a/b//"), "/a");
  EXPECT_EQ(DirName("../x"), "..");
  EXPECT_EQ(DirName("a//b"), "a/");  // text only: inner slashes stay
}

TEST(BaseNameTest, LastComponent) {
  EXPECT_EQ(BaseName("/a/b"), "b");
  EXPECT_EQ(BaseName("a"), "a");
  EXPECT_EQ(BaseName("a/"), "a");
  EXPECT_EQ(BaseName("/a/b//"), "b");
  EXPECT_EQ(BaseName("../x"), "x");
  EXPECT_EQ(BaseName("/"), "");
  EXPECT_EQ(BaseName(""), "");
  EXPECT_EQ(BaseName("x.tar.gz"), "x.tar.gz");
}

TEST(ParentOfTest, TreeParent) {
  EXPECT_EQ(ParentOf("a"), "");
  EXPECT_EQ(ParentOf(""), "");
  EXPECT_EQ(ParentOf("a/b"), "a");
  EXPECT_EQ(ParentOf("a/b/c"), "a/b");
  EXPECT_EQ(ParentOf("a/"), "a");
  EXPECT_EQ(ParentOf("../x"), "..");
}

TEST(IsInsideTest, WholeComponentsOnly) {
  EXPECT_TRUE(IsInside("/r", "/r"));
  EXPECT_TRUE(IsInside("/r/x", "/r"));
  EXPECT_TRUE(IsInside("/r/x/y", "/r"));
  EXPECT_FALSE(IsInside("/rx", "/r"));
  EXPECT_FALSE(IsInside("/", "/r"));
  EXPECT_FALSE(IsInside("/r/x", ""));
  EXPECT_TRUE(IsInside("/anything", "/"));
  EXPECT_TRUE(IsInside("/", "/"));
  EXPECT_FALSE(IsInside("relative", "/"));
  EXPECT_FALSE(IsInside("", "/"));
}

TEST(IsBelowTest, StrictlyBelowOnly) {
  EXPECT_FALSE(IsBelow("/r", "/r"));
  EXPECT_TRUE(IsBelow("/r/x", "/r"));
  EXPECT_TRUE(IsBelow("/r/x/y", "/r"));
  EXPECT_FALSE(IsBelow("/rx", "/r"));
  EXPECT_FALSE(IsBelow("/", "/r"));
  EXPECT_TRUE(IsBelow("/r", "/"));
  EXPECT_FALSE(IsBelow("/", "/"));
}

TEST(PathBelowTest, RelativeOrNothing) {
  EXPECT_EQ(PathBelow("/r", "/r"), "");
  EXPECT_EQ(PathBelow("/r/x/y", "/r"), "x/y");
  EXPECT_EQ(PathBelow("/rx", "/r"), std::nullopt);
  EXPECT_EQ(PathBelow("/x", "/"), "x");
  EXPECT_EQ(PathBelow("/", "/"), "");
  EXPECT_EQ(PathBelow("../x", "/r"), std::nullopt);
  EXPECT_EQ(PathBelow("/r/../x", "/r"), "../x");  // text only: normalise first
}

}  // namespace
}  // namespace trail
