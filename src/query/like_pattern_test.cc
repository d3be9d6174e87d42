#include "query/like_pattern.h"

#include <gtest/gtest.h>

namespace trail::query {
namespace {

TEST(LikePatternTest, WildcardsTranslate) {
  EXPECT_EQ(LikeToGlob("adam"), "adam");
  EXPECT_EQ(LikeToGlob("a%"), "a*");
  EXPECT_EQ(LikeToGlob("_b_"), "?b?");
  EXPECT_EQ(LikeToGlob(""), "");
}

TEST(LikePatternTest, GlobMetacharactersBecomeLiteral) { EXPECT_EQ(LikeToGlob("a*b?c[d]e"), "a[*]b[?]c[[]d[]]e"); }

TEST(LikePatternTest, EscapesMakeWildcardsLiteral) {
  EXPECT_EQ(LikeToGlob("100\\%"), "100%");
  EXPECT_EQ(LikeToGlob("a\\_b"), "a_b");
  EXPECT_EQ(LikeToGlob("a\\\\b"), "a\\b");
  EXPECT_EQ(LikeToGlob("\\*"), "[*]");
  EXPECT_EQ(LikeToGlob("\\x"), "x");
}

TEST(LikePatternTest, DanglingEscape) {
  EXPECT_TRUE(HasDanglingEscape("abc\\"));
  EXPECT_TRUE(HasDanglingEscape("\\"));
  EXPECT_TRUE(HasDanglingEscape("a\\\\\\"));
  EXPECT_FALSE(HasDanglingEscape("a\\\\"));
  EXPECT_FALSE(HasDanglingEscape("a\\%"));
  EXPECT_FALSE(HasDanglingEscape(""));
}

}  // namespace
}  // namespace trail::query
