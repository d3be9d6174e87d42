// Case-insensitive matching for keywords and names, which are ASCII by definition.
#pragma once

#include <string_view>

namespace trail::query {

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// True if `text` equals `lower`, ignoring ASCII case; `lower` must be lowercase.
inline bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (AsciiLower(text[i]) != lower[i]) return false;
  }
  return true;
}

}  // namespace trail::query
