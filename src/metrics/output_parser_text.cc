#include "metrics/output_parser_text.h"

#include "base/numbers.h"

namespace trail::metrics::internal {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool EqualsIgnoringCase(std::string_view s, std::string_view lower_word) {
  if (s.size() != lower_word.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (Lower(s[i]) != lower_word[i]) return false;
  }
  return true;
}

bool IsMetricName(std::string_view s) {
  if (s.empty() || !IsMetricNameStart(s[0])) return false;
  for (char c : s) {
    if (!IsMetricNameChar(c)) return false;
  }
  return true;
}

std::optional<double> ParseMetricValue(std::string_view s) {
  // from_chars (under ParseDouble) also takes "nan(chars)"; a printed metric never has that form,
  // and refusing it keeps "nan(" from reading as a value.
  if (s.empty() || s.back() == ')') return std::nullopt;
  // Most tokens that reach here are words, not numbers; turn them away before from_chars.
  const char c = s[0];
  if (!IsDigit(c) && c != '-' && c != '+' && c != '.' && c != 'n' && c != 'N' && c != 'i' && c != 'I') {
    return std::nullopt;
  }
  return ParseDouble(s);
}

std::string_view TrimRightSpaces(std::string_view s) {
  while (!s.empty() && IsSpaceOrTab(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && IsSpaceOrTab(s.front())) s.remove_prefix(1);
  return TrimRightSpaces(s);
}

std::optional<int64_t> FindEpochNumber(std::string_view s) {
  constexpr std::string_view kWord = "epoch";
  for (size_t i = 0; i + kWord.size() <= s.size(); ++i) {
    if (i > 0 && (IsAsciiLetter(s[i - 1]) || s[i - 1] == '_')) continue;
    if (!EqualsIgnoringCase(s.substr(i, kWord.size()), kWord)) continue;
    size_t j = i + kWord.size();
    if (j < s.size() && (IsAsciiLetter(s[j]) || s[j] == '_')) continue;  // "epochs", "epoch_time"
    while (j < s.size() && (IsSpaceOrTab(s[j]) || s[j] == ':' || s[j] == '=' || s[j] == '#' || s[j] == '[')) ++j;
    size_t digits = j;
    while (digits < s.size() && IsDigit(s[digits])) ++digits;
    if (digits == j) continue;
    if (std::optional<int64_t> n = ParseInt(s.substr(j, digits - j))) return n;
  }
  return std::nullopt;
}

}  // namespace trail::metrics::internal
