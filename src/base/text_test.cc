#include "base/text.h"

#include <gtest/gtest.h>

namespace trail {
namespace {

TEST(RedactUrlSecrets, MasksThePasswordOfTheUserinfo) {
  EXPECT_EQ(RedactUrlSecrets("http://minio:s3cr3t@store.internal:9000/base"),
            "http://minio:***@store.internal:9000/base");
  EXPECT_EQ(RedactUrlSecrets("https://ghp_abc123@github.com/org/repo.git"), "https://***@github.com/org/repo.git");
  EXPECT_EQ(RedactUrlSecrets("s3://key:secret@bucket/prefix"), "s3://key:***@bucket/prefix");
}

TEST(RedactUrlSecrets, MasksCredentialsInQueryStrings) {
  EXPECT_EQ(RedactUrlSecrets("https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=ab12&part=3"),
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***&part=3");
  EXPECT_EQ(RedactUrlSecrets("http://h/p?token=t0k#frag"), "http://h/p?token=***#frag");
  EXPECT_EQ(RedactUrlSecrets("http://h/p?list-type=2&prefix=index%2F"), "http://h/p?list-type=2&prefix=index%2F");
}

TEST(RedactUrlSecrets, FindsUrlsInsideMessages) {
  EXPECT_EQ(RedactUrlSecrets("GET http://u:pw@127.0.0.1:9/b/k: Couldn't connect to server"),
            "GET http://u:***@127.0.0.1:9/b/k: Couldn't connect to server");
  EXPECT_EQ(RedactUrlSecrets("fatal: unable to access 'https://me:tok@git.example/r.git/': 403"),
            "fatal: unable to access 'https://me:***@git.example/r.git/': 403");
  EXPECT_EQ(RedactUrlSecrets("a http://x:1@h and https://y:2@g"), "a http://x:***@h and https://y:***@g");
}

TEST(RedactUrlSecrets, LeavesEverythingElseAlone) {
  for (const char* s : {"", "no url here", "/abs/path/to/store", "file:///abs/path", "s3://bucket/prefix",
                        "mail me at ann@example.org", "http://host:9000/a@b/c", "://"})
    EXPECT_EQ(RedactUrlSecrets(s), s);
}

TEST(EscapeForMessageTest, KeepsUtf8AndEscapesEverythingElse) {
  EXPECT_EQ(EscapeForMessage("data/train.csv"), "data/train.csv");
  EXPECT_EQ(EscapeForMessage("donn\xC3\xA9"
                             "es"),
            "donn\xC3\xA9"
            "es");
  EXPECT_EQ(EscapeForMessage("bad\xff.csv"), "bad\\xff.csv");
  EXPECT_EQ(EscapeForMessage("two\nlines"), "two\\nlines");
  EXPECT_EQ(EscapeForMessage("cr\r\t\x1b"), "cr\\x0d\\t\\x1b");
  EXPECT_EQ(EscapeForMessage("a\\b"), "a\\\\b");  // so "\x41" typed in a name stays tellable
  EXPECT_EQ(EscapeForMessage(std::string_view("nul\0", 4)), "nul\\x00");
  EXPECT_EQ(EscapeForMessage("\xC3"), "\\xc3");  // a truncated sequence
}

// Moved from context/context_test.cc (it tested context's copy, ValidUtf8).
TEST(SanitizeUtf8Test, ValidUtf8) {
  EXPECT_EQ(SanitizeUtf8("plain ascii"), "plain ascii");
  EXPECT_EQ(SanitizeUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(SanitizeUtf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(SanitizeUtf8("x\xe2\x82"), "x\xEF\xBF\xBD\xEF\xBF\xBD");                // cut short
}

TEST(SanitizeUtf8Test, EdgeCases) {
  EXPECT_EQ(SanitizeUtf8(""), "");
  EXPECT_EQ(SanitizeUtf8("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xc0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");                                  // overlong NUL
  EXPECT_EQ(SanitizeUtf8("\xf4\x90\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // past U+10FFFF
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));  // NUL is valid UTF-8
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));                             // U+10FFFF itself
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_TRUE(IsValidUtf8(""));
}

TEST(TrimTest, WhitespaceByDefault) {
  EXPECT_EQ(Trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(Trim("\f\va\v"), "a");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t\n"), "");
  EXPECT_EQ(Trim("x"), "x");
  EXPECT_EQ(Trim("\xc2\xa0x"), "\xc2\xa0x");  // bytes past ASCII are never whitespace
}

TEST(TrimTest, ChosenCharacters) {
  EXPECT_EQ(Trim(" \t1.5\r ", " \t"), "1.5\r");
  EXPECT_EQ(Trim("--a-", "-"), "a");
  EXPECT_EQ(Trim("a", ""), "a");
}

}  // namespace
}  // namespace trail
