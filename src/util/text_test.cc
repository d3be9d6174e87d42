#include "util/text.h"

#include <gtest/gtest.h>

namespace trail {
namespace {

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
