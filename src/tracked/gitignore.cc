#include "tracked/gitignore.h"

#include <algorithm>

#include "base/files.h"
#include "base/text.h"

namespace trail {

StatusOr<std::string> IgnoreLineFor(std::string_view name) {
  // Git reads .gitignore line by line and strips a trailing CR, so neither can be escaped.
  if (name.find_first_of("\n\r") != std::string_view::npos)
    return InvalidArgument(EscapeForMessage(name) +
                           ": a name with a line break cannot be written to .gitignore; rename it");
  std::string line = "/";
  for (char c : name) {
    if (c == '\\' || c == '*' || c == '?' || c == '[') line += '\\';
    line += c;
  }
  // Trailing spaces are dropped unless escaped; "/" first means a leading '!' or '#' is plain.
  size_t spaces = 0;
  while (spaces < line.size() && line[line.size() - 1 - spaces] == ' ') ++spaces;
  line.resize(line.size() - spaces);
  for (size_t i = 0; i < spaces; ++i) line += "\\ ";
  return line;
}

Status AddIgnoreLines(const std::string& path, const std::vector<std::string>& lines, Env& env) {
  std::string text;
  if (env.Exists(path)) {
    TRAIL_ASSIGN_OR_RETURN(text, env.ReadFile(path));
  }
  std::vector<std::string> have;
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    have.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  std::string added;
  for (const std::string& line : lines) {
    if (std::find(have.begin(), have.end(), line) != have.end()) continue;
    have.push_back(line);
    added += line + "\n";
  }
  if (added.empty()) return Status::Ok();
  if (!text.empty() && text.back() != '\n') text += '\n';
  return WriteFileAtomic(env, path, text + added);
}

}  // namespace trail
