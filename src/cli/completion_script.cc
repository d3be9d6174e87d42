#include "completion_script.h"

namespace trail::cli {

bool PlainWord(const std::string& w) {
  if (w.empty()) return false;
  for (char c : w) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '+' || c == ':' || c == '@' || c == '=' || c == ',';
    if (!ok) return false;
  }
  return true;
}

std::string JoinPlain(const std::vector<std::string>& words, char sep) {
  std::string out;
  for (const auto& w : words) {
    if (!PlainWord(w)) continue;
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::string OneLine(const std::string& text, size_t max) {
  std::string out;
  for (char c : text) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  if (out.size() > max) {
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    out = out.substr(0, cut) + "...";
  }
  return out;
}

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string FishQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string KindWord(const OptionInfo& o) {
  switch (o.kind) {
    case ValueKind::kRuns:
      return "runs";
    case ValueKind::kRemotes:
      return "remotes";
    case ValueKind::kFiles:
      return "files";
    case ValueKind::kChoices:
      return "=" + JoinPlain(o.choices, ',');
    case ValueKind::kNone:
      break;
  }
  return "none";
}

}  // namespace trail::cli
