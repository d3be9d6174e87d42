#include "base/display_width.h"

#include <gtest/gtest.h>

namespace trail {
namespace {

TEST(DisplayWidthTest, CountsColumnsNotBytesOrCodePoints) {
  struct Case {
    const char* text;
    size_t width;
  };
  const Case cases[] = {
      {"", 0},
      {"abc", 3},
      {"r\xC3\xA9sum\xC3\xA9", 6},              // é precomposed: 1 column, 2 bytes
      {"re\xCC\x81sume\xCC\x81", 6},            // e + combining acute: the mark takes none
      {"\xE5\xAD\xA6\xE7\xBF\x92", 4},          // 学習: CJK, 2 columns each
      {"\xED\x95\x9C\xEA\xB8\x80", 4},          // 한글: Hangul syllables
      {"\xEF\xBC\xA1", 2},                      // Ａ fullwidth
      {"\xEF\xBD\xB1", 1},                      // ｱ halfwidth katakana
      {"\xF0\x9F\x9A\x80", 2},                  // 🚀
      {"\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", 2},  // 👍🏽: the skin tone joins it
      {"\xE2\x9C\x85", 2},                      // ✅ emoji presentation
      {"\xE2\x9C\x93", 1},                      // ✓ text presentation
      {"a\xE2\x80\x8B"
       "b",
       2},              // zero-width space
      {"\xFF\xFE", 2},  // invalid bytes: one column each
      {"\xE5\xAD", 2},  // a cut sequence: its bytes, one each
  };
  for (const Case& c : cases) EXPECT_EQ(DisplayWidth(c.text), c.width) << c.text;
}

TEST(DisplayWidthTest, CodePointTable) {
  EXPECT_EQ(CodePointWidth('a'), 1);
  EXPECT_EQ(CodePointWidth('\t'), 0);
  EXPECT_EQ(CodePointWidth(0x0301), 0);
  EXPECT_EQ(CodePointWidth(0x4E00), 2);
  EXPECT_EQ(CodePointWidth(0x9FFF), 2);
  EXPECT_EQ(CodePointWidth(0xA4D0), 1);
  EXPECT_EQ(CodePointWidth(0x1F600), 2);
  EXPECT_EQ(CodePointWidth(0x20000), 2);
  EXPECT_EQ(CodePointWidth(0xFE0F), 0);
}

TEST(DisplayWidthTest, TruncationNeverSplitsACharacter) {
  EXPECT_EQ(TruncateToWidth("abcdef", 6), "abcdef");
  EXPECT_EQ(TruncateToWidth("abcdef", 4), "abc\xE2\x80\xA6");
  EXPECT_EQ(TruncateToWidth("abcdef", 0), "");
  // 学習データ is 10 columns; in 6 only two wide characters and the ellipsis fit (5), not a half.
  const std::string cjk = "\xE5\xAD\xA6\xE7\xBF\x92\xE3\x83\x87\xE3\x83\xBC\xE3\x82\xBF";
  EXPECT_EQ(TruncateToWidth(cjk, 6), "\xE5\xAD\xA6\xE7\xBF\x92\xE2\x80\xA6");
  EXPECT_EQ(DisplayWidth(TruncateToWidth(cjk, 6)), 5u);
  // A combining mark stays with its letter.
  EXPECT_EQ(TruncateToWidth("e\xCC\x81"
                            "e\xCC\x81"
                            "e\xCC\x81",
                            3),
            "e\xCC\x81"
            "e\xCC\x81"
            "e\xCC\x81");
  EXPECT_EQ(TruncateToWidth("e\xCC\x81"
                            "e\xCC\x81"
                            "e\xCC\x81",
                            2),
            "e\xCC\x81\xE2\x80\xA6");
  // An emoji with its skin tone is kept or dropped whole.
  EXPECT_EQ(TruncateToWidth("a\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"
                            "bc",
                            4),
            "a\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD\xE2\x80\xA6");
  EXPECT_EQ(TruncateToWidth("ab\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"
                            "c",
                            4),
            "ab\xE2\x80\xA6");
  for (size_t w = 0; w <= 12; ++w) EXPECT_LE(DisplayWidth(TruncateToWidth(cjk + "x", w)), w);
}

}  // namespace
}  // namespace trail
