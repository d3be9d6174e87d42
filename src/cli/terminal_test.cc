#include "terminal.h"

#include <gtest/gtest.h>

namespace trail::cli {
namespace {

TEST(ColorRuleTest, ATerminalGetsColourAPipeDoesNot) {
  EXPECT_TRUE(WantColor(ColorChoice::kAuto, nullptr, nullptr, "xterm-256color", true));
  EXPECT_FALSE(WantColor(ColorChoice::kAuto, nullptr, nullptr, "xterm-256color", false));
}

TEST(ColorRuleTest, NoColorAnyNonEmptyValueTurnsItOff) {
  EXPECT_FALSE(WantColor(ColorChoice::kAuto, "1", nullptr, "xterm", true));
  EXPECT_FALSE(WantColor(ColorChoice::kAuto, "0", nullptr, "xterm", true));  // any value, as no-color.org says
  EXPECT_TRUE(WantColor(ColorChoice::kAuto, "", nullptr, "xterm", true));    // empty is unset
}

TEST(ColorRuleTest, DumbTerminalsGetNone) {
  EXPECT_FALSE(WantColor(ColorChoice::kAuto, nullptr, nullptr, "dumb", true));
}

TEST(ColorRuleTest, ClicolorForceForcesItButNotOverNoColor) {
  EXPECT_TRUE(WantColor(ColorChoice::kAuto, nullptr, "1", nullptr, false));
  EXPECT_TRUE(WantColor(ColorChoice::kAuto, nullptr, "1", "dumb", false));
  EXPECT_FALSE(WantColor(ColorChoice::kAuto, nullptr, "0", nullptr, false));
  EXPECT_FALSE(WantColor(ColorChoice::kAuto, "1", "1", nullptr, true));
}

TEST(ColorRuleTest, TheFlagWinsOverEverything) {
  EXPECT_TRUE(WantColor(ColorChoice::kAlways, "1", nullptr, "dumb", false));
  EXPECT_FALSE(WantColor(ColorChoice::kNever, nullptr, "1", "xterm", true));
}

TEST(ColorRuleTest, ParsesTheFlagsValues) {
  ColorChoice c = ColorChoice::kAuto;
  EXPECT_TRUE(ParseColorChoice("always", &c));
  EXPECT_EQ(c, ColorChoice::kAlways);
  EXPECT_TRUE(ParseColorChoice("never", &c));
  EXPECT_EQ(c, ColorChoice::kNever);
  EXPECT_FALSE(ParseColorChoice("yes", &c));
}

TEST(PaintTest, StatusWordsAndDiffsWhenForced) {
  SetColorChoice(ColorChoice::kAlways);
  EXPECT_EQ(PaintStatus(1, "finished"), "\033[32mfinished\033[0m");
  EXPECT_EQ(PaintStatus(1, "failed"), "\033[31mfailed\033[0m");
  EXPECT_EQ(PaintStatus(1, "running"), "\033[33mrunning\033[0m");
  EXPECT_EQ(PaintStatus(1, "archived"), "archived");
  EXPECT_EQ(PaintDiff(1, "+a\n-b\n c\n"), "\033[32m+a\033[0m\n\033[31m-b\033[0m\n c\n");
  EXPECT_EQ(PaintDiff(1, " train.py | 3 ++-\n"), " train.py | 3 \033[32m++\033[0m\033[31m-\033[0m\n");
  SetColorChoice(ColorChoice::kNever);
  EXPECT_EQ(PaintStatus(1, "finished"), "finished");
  EXPECT_EQ(PaintDiff(1, "+a\n"), "+a\n");
  SetColorChoice(ColorChoice::kAuto);
}

}  // namespace
}  // namespace trail::cli
