#include "query/like_pattern.h"

namespace trail::query {
namespace {

void AppendLiteral(char c, std::string* glob) {
  switch (c) {
    case '*':
    case '?':
    case '[':
    case ']':
      *glob += '[';
      *glob += c;
      *glob += ']';
      break;
    default:
      *glob += c;
  }
}

}  // namespace

bool HasDanglingEscape(std::string_view pattern) {
  bool escaped = false;
  for (char c : pattern) escaped = !escaped && c == '\\';
  return escaped;
}

std::string LikeToGlob(std::string_view pattern) {
  std::string glob;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      AppendLiteral(pattern[++i], &glob);
    } else if (c == '%') {
      glob += '*';
    } else if (c == '_') {
      glob += '?';  // SQLite's ? is one UTF-8 character, like LIKE's _
    } else {
      AppendLiteral(c, &glob);
    }
  }
  return glob;
}

}  // namespace trail::query
