#include "terminal.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace trail::cli {
namespace {

ColorChoice g_choice = ColorChoice::kAuto;

bool Set(const char* v) { return v != nullptr && v[0] != '\0'; }

const char* Code(Style style) {
  switch (style) {
    case Style::kRed:
      return "\033[31m";
    case Style::kGreen:
      return "\033[32m";
    case Style::kYellow:
      return "\033[33m";
    case Style::kBlue:
      return "\033[34m";
    case Style::kBold:
      return "\033[1m";
    case Style::kDim:
      return "\033[2m";
  }
  return "";
}

}  // namespace

bool WantColor(ColorChoice choice, const char* no_color, const char* clicolor_force, const char* term, bool is_tty) {
  if (choice != ColorChoice::kAuto) return choice == ColorChoice::kAlways;
  if (Set(no_color)) return false;
  if (Set(clicolor_force) && std::strcmp(clicolor_force, "0") != 0) return true;
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return is_tty;
}

void SetColorChoice(ColorChoice choice) { g_choice = choice; }

bool ColorOn(int fd) {
  return WantColor(g_choice, std::getenv("NO_COLOR"), std::getenv("CLICOLOR_FORCE"), std::getenv("TERM"),
                   ::isatty(fd) == 1);
}

std::string Paint(int fd, Style style, const std::string& text) {
  if (text.empty() || !ColorOn(fd)) return text;
  return Code(style) + text + "\033[0m";
}

std::string PaintStatus(int fd, const std::string& status) {
  if (status == "finished" || status == "ok" || status == "clean") return Paint(fd, Style::kGreen, status);
  if (status == "failed" || status == "crashed" || status == "missing" || status == "error")
    return Paint(fd, Style::kRed, status);
  if (status == "running" || status == "killed" || status == "modified") return Paint(fd, Style::kYellow, status);
  return status;
}

namespace {

// One line of a diffstat (" path | 12 +++--") or of a patch, coloured.
std::string PaintDiffLine(int fd, const std::string& line) {
  if (line.starts_with("+++ ") || line.starts_with("--- ") || line.starts_with("diff --git"))
    return Paint(fd, Style::kBold, line);
  if (line.starts_with("@@")) return Paint(fd, Style::kBlue, line);
  if (line.starts_with("+")) return Paint(fd, Style::kGreen, line);
  if (line.starts_with("-")) return Paint(fd, Style::kRed, line);
  const size_t bar = line.find(" | ");
  if (bar == std::string::npos) return line;
  const size_t marks = line.find_first_of("+-", bar);
  if (marks == std::string::npos) return line;
  size_t minus = line.find('-', marks);
  if (minus == std::string::npos) minus = line.size();
  return line.substr(0, marks) + Paint(fd, Style::kGreen, line.substr(marks, minus - marks)) +
         Paint(fd, Style::kRed, line.substr(minus));
}

}  // namespace

std::string PaintDiff(int fd, const std::string& text) {
  if (!ColorOn(fd)) return text;
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool newline = end != std::string::npos;
    if (!newline) end = text.size();
    out += PaintDiffLine(fd, text.substr(start, end - start));
    if (newline) out += '\n';
    start = end + 1;
  }
  return out;
}

bool ParseColorChoice(const std::string& text, ColorChoice* out) {
  if (text == "auto")
    *out = ColorChoice::kAuto;
  else if (text == "always")
    *out = ColorChoice::kAlways;
  else if (text == "never")
    *out = ColorChoice::kNever;
  else
    return false;
  return true;
}

}  // namespace trail::cli
