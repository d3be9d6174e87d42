#include "base/yaml_scalars.h"

#include <cmath>

#include "base/numbers.h"

namespace trail {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [-+]?[0-9]+
bool IsIntText(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (!IsDigit(s[i])) return false;
  return true;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?   (hand-written: this runs
// for every value of every record during an index rebuild)
bool IsFloatText(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

}  // namespace

Json ResolveYamlPlain(const std::string& s) {
  if (s.empty()) return nullptr;
  char c = s[0];
  // Fast path: most values are words or numbers; only a few first letters can be special.
  if (c == '~' || c == 'n' || c == 'N') {
    if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  } else if (c == 't' || c == 'T') {
    if (s == "true" || s == "True" || s == "TRUE") return true;
  } else if (c == 'f' || c == 'F') {
    if (s == "false" || s == "False" || s == "FALSE") return false;
  } else if (c == '.' || c == '+' || c == '-') {
    if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::nan("");
    if (s == ".inf" || s == ".Inf" || s == "+.inf") return HUGE_VAL;
    if (s == "-.inf" || s == "-.Inf") return -HUGE_VAL;
  }
  if (!(IsDigit(c) || c == '.' || c == '+' || c == '-')) return s;
  if (IsIntText(s)) {
    if (auto v = ParseInt(s)) return *v;
  }
  if (IsFloatText(s)) {
    std::string t = s;
    if (!t.empty() && t.back() == '.') t.pop_back();
    if (auto v = ParseDouble(t)) return *v;
  }
  return s;
}

bool IsYamlPrintable(uint32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 || (c >= 0xA0 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

uint32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
  const uint32_t b0 = byte(i);
  size_t n = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  if (i + n > s.size()) n = 1;  // not valid UTF-8 after all: one byte at a time
  uint32_t c = n == 1 ? b0 : n == 2 ? b0 & 0x1F : n == 3 ? b0 & 0x0F : b0 & 0x07;
  for (size_t k = 1; k < n; ++k) c = (c << 6) | (byte(i + k) & 0x3F);
  i += n;
  return c;
}

bool HasYamlUnsafeChars(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {  // the common case, byte by byte
      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F) return true;
      ++i;
      continue;
    }
    const uint32_t c = NextCodePoint(s, i);
    if (!IsYamlPrintable(c) || c == 0x85 || c == 0x2028 || c == 0x2029) return true;
  }
  return false;
}

}  // namespace trail
