#include "metrics/output_parser_terminal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace trail::metrics::internal {
namespace {

using ::testing::ElementsAre;

// Line states as "O:text" (overwritten) and "F:text" (final).
class Recorder : public TerminalLineSink {
 public:
  void OnLine(std::string_view text, LineState state) override {
    states.push_back((state == LineState::kFinal ? "F:" : "O:") + std::string(text));
  }
  std::vector<std::string> states;
};

// The states of `bytes` fed in chunks of `chunk` bytes (0: all at once), then Finish.
std::vector<std::string> States(std::string_view bytes, size_t chunk = 0, bool report_overwritten = true) {
  TerminalLineAssembler assembler(report_overwritten);
  Recorder recorder;
  if (chunk == 0) chunk = bytes.size() + 1;
  for (size_t i = 0; i < bytes.size(); i += chunk) assembler.Feed(bytes.substr(i, chunk), recorder);
  assembler.Finish(recorder);
  return recorder.states;
}

TEST(TerminalLinesTest, NewlinesEndLinesAndEmptyLinesAreNotReported) {
  EXPECT_THAT(States("a\n\nb\n"), ElementsAre("F:a", "F:b"));
}

TEST(TerminalLinesTest, CarriageReturnStartsANewStateAtTheNextPrintedByte) {
  EXPECT_THAT(States("\r1/3\r2/3\r3/3\n"), ElementsAre("O:1/3", "O:2/3", "F:3/3"));
}

TEST(TerminalLinesTest, CrLfKeepsTheLineAsATerminalShowsIt) {
  EXPECT_THAT(States("loss 1\r\nloss 2\r\n"), ElementsAre("F:loss 1", "F:loss 2"));
  EXPECT_THAT(States("a\r\r\r\n"), ElementsAre("F:a"));
}

TEST(TerminalLinesTest, OverwrittenStatesCanBeLeftOut) {
  EXPECT_THAT(States("\r1\r2\r3\n", 0, /*report_overwritten=*/false), ElementsAre("F:3"));
}

TEST(TerminalLinesTest, BackspaceDeletesWholeUtf8Characters) {
  EXPECT_THAT(States("ab\xe2\x94\x81\b!\n"), ElementsAre("F:ab!"));
  EXPECT_THAT(States("abc\b\b\b\b\bxy\n"), ElementsAre("F:xy"));
  // A stray continuation byte goes on its own.
  EXPECT_THAT(States("a\x80\x80\x80\x80\x80\b\n"), ElementsAre("F:a\x80\x80\x80\x80"));
  // At column 0 (after '\r') backspace does nothing.
  EXPECT_THAT(States("abc\r\bz\n"), ElementsAre("O:abc", "F:z"));
}

TEST(TerminalLinesTest, ColoursAndOtherEscapesAreDropped) {
  EXPECT_THAT(States("\x1b[1m32/32\x1b[0m \x1b[32mok\x1b[0m\x1b[?25l\n"), ElementsAre("F:32/32 ok"));
  EXPECT_THAT(States("\x1b]0;title\x07x\x1b]8;;http://a\x1b\\y\x1b(Bz\x1b"
                     "7w\n"),
              ElementsAre("F:xyzw"));
}

TEST(TerminalLinesTest, EscapesSplitAcrossChunksAreStillDropped) {
  std::string bytes = "\x1b[38;5;196mred\x1b[0m\x1b]0;t\x1b\\!\n";
  for (size_t chunk = 1; chunk < bytes.size(); ++chunk) EXPECT_THAT(States(bytes, chunk), ElementsAre("F:red!"));
}

TEST(TerminalLinesTest, EraseInLine) {
  // ESC[K right after '\r' erases the old state; at the end of the text it changes nothing.
  EXPECT_THAT(States("old\r\x1b[Knew\x1b[K\n"), ElementsAre("O:old", "F:new"));
  EXPECT_THAT(States("old\x1b[2Knew\n"), ElementsAre("O:old", "F:new"));
  // ESC[G moves to column 1, as '\r' does.
  EXPECT_THAT(States("old\x1b[Gnew\n"), ElementsAre("O:old", "F:new"));
}

TEST(TerminalLinesTest, CursorMovesBetweenRowsLeaveTheLine) {
  // How tqdm draws a bar at position 1 under one at position 0.
  EXPECT_THAT(States("\router\n\rinner 1\x1b[A\router 2\n\rinner 2\x1b[A"),
              ElementsAre("F:outer", "F:inner 1", "F:outer 2", "F:inner 2"));
}

TEST(TerminalLinesTest, ControlBytesInsideEscapesAreOutput) {
  // A broken CSI or OSC must not swallow the line break after it.
  EXPECT_THAT(States("a\x1b[12\nb\x1b]title\nc\n"), ElementsAre("F:a", "F:b", "F:c"));
  EXPECT_THAT(States("a\x1b\nb\n"), ElementsAre("F:a", "F:b"));
}

TEST(TerminalLinesTest, OverlongCsiAndStringsEnd) {
  std::string csi = "\x1b[" + std::string(100, '1') + "mtext\n";
  EXPECT_EQ(States(csi).size(), 1u);
  std::string osc = "\x1b]" + std::string(TerminalLineAssembler::kMaxLineBytes, 'x') + "\nnext\n";
  EXPECT_EQ(States(osc).back(), "F:next");
}

TEST(TerminalLinesTest, OtherControlBytesAreDroppedAndTabsKept) {
  EXPECT_THAT(States(std::string("a\0b\x07"
                                 "c\x7f\td\n",
                                 9)),
              ElementsAre("F:abc\td"));
}

TEST(TerminalLinesTest, OverlongLinesAreDroppedWhole) {
  const size_t max = TerminalLineAssembler::kMaxLineBytes;
  EXPECT_THAT(States(std::string(max, 'a') + "\nb\n"), ElementsAre("F:" + std::string(max, 'a'), "F:b"));
  EXPECT_THAT(States(std::string(max + 1, 'a') + "\nb\n"), ElementsAre("F:b"));
  // In small chunks too, and a redraw after the overflow is a fresh state.
  EXPECT_THAT(States(std::string(3 * max, 'a') + "\rshort\n", 1000), ElementsAre("F:short"));
  EXPECT_THAT(States(std::string(2 * max, 'a')), ElementsAre());
}

TEST(TerminalLinesTest, FinishReportsTheLineStillShowing) {
  EXPECT_THAT(States("no newline"), ElementsAre("F:no newline"));
  EXPECT_THAT(States("bar 1\rbar 2"), ElementsAre("O:bar 1", "F:bar 2"));
  EXPECT_THAT(States("bar 1\r"), ElementsAre("F:bar 1"));
}

TEST(TerminalLinesTest, FinishStartsAfresh) {
  TerminalLineAssembler assembler(true);
  Recorder recorder;
  assembler.Feed("one\x1b[3", recorder);
  assembler.Finish(recorder);
  assembler.Feed("1mtwo\n", recorder);
  EXPECT_THAT(recorder.states, ElementsAre("F:one", "F:1mtwo"));
}

}  // namespace
}  // namespace trail::metrics::internal
