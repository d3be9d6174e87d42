// What the terminal gets: colour (off unless a terminal wants it, no-color.org's NO_COLOR
// honoured) and whether a progress line is drawn.
#pragma once

#include <memory>
#include <string>

namespace trail::cli {

enum class ColorChoice { kAuto, kAlways, kNever };

// The rule, pure for tests. --color=always / never wins; then NO_COLOR (any non-empty value)
// turns colour off and CLICOLOR_FORCE (non-empty, not "0") on; then TERM=dumb is off; else a
// terminal gets colour. A null variable is unset.
bool WantColor(ColorChoice choice, const char* no_color, const char* clicolor_force, const char* term, bool is_tty);

// The choice for this process (main.cc sets it from --color before any command runs).
void SetColorChoice(ColorChoice choice);
// Whether what goes to `fd` (1 or 2) is coloured, by WantColor over the real environment.
bool ColorOn(int fd);

enum class Style { kRed, kGreen, kYellow, kBlue, kBold, kDim };
// `text` in `style` when `fd` gets colour, else `text` unchanged.
std::string Paint(int fd, Style style, const std::string& text);
// A run's status word (finished, failed, running, killed, crashed...) coloured as `trail ls`,
// `show` and `status` print it: finished/ok green, failed/crashed/missing/error red, running,
// killed and modified yellow, the rest plain.
std::string PaintStatus(int fd, const std::string& status);

// A unified diff or a diffstat coloured as git colours them: added lines and a stat's '+'s
// green, removed ones and '-'s red, hunk headers blue, file headers bold.
std::string PaintDiff(int fd, const std::string& text);

// Parses --color's value; false for anything but auto, always, never.
bool ParseColorChoice(const std::string& text, ColorChoice* out);

}  // namespace trail::cli
