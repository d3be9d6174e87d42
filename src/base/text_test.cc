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
  EXPECT_EQ(EscapeForMessage("donn\xC3\xA9" "es"), "donn\xC3\xA9" "es");
  EXPECT_EQ(EscapeForMessage("bad\xff.csv"), "bad\\xff.csv");
  EXPECT_EQ(EscapeForMessage("two\nlines"), "two\\nlines");
  EXPECT_EQ(EscapeForMessage("cr\r\t\x1b"), "cr\\x0d\\t\\x1b");
  EXPECT_EQ(EscapeForMessage("a\\b"), "a\\\\b");  // so "\x41" typed in a name stays tellable
  EXPECT_EQ(EscapeForMessage(std::string_view("nul\0", 4)), "nul\\x00");
  EXPECT_EQ(EscapeForMessage("\xC3"), "\\xc3");  // a truncated sequence
}

}  // namespace
}  // namespace trail
