// A second, independent reading of one metrics protocol line, written for clarity rather than
// speed, that the metrics fuzzer holds trail's two scanners (fast_scan.h, json_scan.h) to.
//
// It accepts exactly RFC 8259 JSON whose top level is an object, plus the value tokens NaN,
// Infinity and -Infinity (and, like nlohmann, one UTF-8 byte order mark at the very start), and
// yields the Field list that line_fields.h specifies: leaves in document order, nested keys joined
// with dots, each nested object's and array's own key as an ignored field, nothing from inside
// arrays, and an empty key (outside arrays) rejects the line. Numbers convert as nlohmann does:
// an integer token that fits int64 (or uint64 up to INT64_MAX) is exact, anything else goes
// through strtod, and one that overflows to infinity rejects the line.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/line_fields.h"

namespace trail::fuzz {

struct RefField {
  std::string key;
  metrics::internal::Field::Kind kind;
  bool integer_token = false;
  int64_t integer = 0;
  double value = 0;
};

class RefLineScanner {
 public:
  explicit RefLineScanner(std::string_view text) : s_(text) {}

  // The line's fields, or nullopt when the line is not a valid protocol line.
  std::optional<std::vector<RefField>> Run() {
    if (!s_.empty() && static_cast<unsigned char>(s_[0]) == 0xEF) {
      if (s_.substr(0, 3) != "\xEF\xBB\xBF") return std::nullopt;
      pos_ = 3;
    }
    SkipSpace();
    if (!At('{')) return std::nullopt;
    if (!Object("", false)) return std::nullopt;
    SkipSpace();
    if (pos_ != s_.size()) return std::nullopt;
    return std::move(fields_);
  }

 private:
  using Kind = metrics::internal::Field::Kind;

  bool At(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool Eat(char c) {
    if (!At(c)) return false;
    ++pos_;
    return true;
  }
  bool EatWord(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  unsigned Byte(size_t i) const { return i < s_.size() ? static_cast<unsigned char>(s_[i]) : 0x100; }

  void Leaf(const std::string& key, bool in_array, Kind kind, double value = 0) {
    if (!in_array) fields_.push_back(RefField{key, kind, false, 0, value});
  }

  // `prefix` is "" at the top level, "a.b." inside {"a": {"b": {...}}}.
  bool Object(const std::string& prefix, bool in_array) {
    if (!Eat('{')) return false;
    SkipSpace();
    if (Eat('}')) return true;
    for (;;) {
      std::string key;
      if (!String(&key)) return false;
      if (key.empty() && !in_array) return false;
      SkipSpace();
      if (!Eat(':')) return false;
      SkipSpace();
      if (!Value(prefix + key, in_array)) return false;
      SkipSpace();
      if (Eat(',')) {
        SkipSpace();
        continue;
      }
      return Eat('}');
    }
  }

  bool Array() {
    if (!Eat('[')) return false;
    SkipSpace();
    if (Eat(']')) return true;
    for (;;) {
      if (!Value("", true)) return false;
      SkipSpace();
      if (Eat(',')) {
        SkipSpace();
        continue;
      }
      return Eat(']');
    }
  }

  bool Value(const std::string& key, bool in_array) {
    if (At('{')) {
      Leaf(key, in_array, Kind::kIgnored);
      return Object(key + ".", in_array);
    }
    if (At('[')) {
      Leaf(key, in_array, Kind::kIgnored);
      return Array();
    }
    if (At('"')) {
      Leaf(key, in_array, Kind::kIgnored);
      return String(nullptr);
    }
    if (EatWord("true")) return Leaf(key, in_array, Kind::kBool, 1), true;
    if (EatWord("false")) return Leaf(key, in_array, Kind::kBool, 0), true;
    if (EatWord("null")) return Leaf(key, in_array, Kind::kIgnored), true;
    if (EatWord("NaN")) return Leaf(key, in_array, Kind::kNumber, std::numeric_limits<double>::quiet_NaN()), true;
    if (EatWord("Infinity")) return Leaf(key, in_array, Kind::kNumber, std::numeric_limits<double>::infinity()), true;
    if (EatWord("-Infinity")) return Leaf(key, in_array, Kind::kNumber, -std::numeric_limits<double>::infinity()), true;
    return Number(key, in_array);
  }

  bool Digits() {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool Number(const std::string& key, bool in_array) {
    size_t start = pos_;
    bool negative = Eat('-');
    if (Eat('0')) {
      // a leading zero stands alone
    } else if (pos_ < s_.size() && s_[pos_] >= '1' && s_[pos_] <= '9') {
      Digits();
    } else {
      return false;
    }
    bool integral = true;
    if (Eat('.')) {
      integral = false;
      if (!Digits()) return false;
    }
    if (At('e') || At('E')) {
      ++pos_;
      integral = false;
      if (!Eat('+')) Eat('-');
      if (!Digits()) return false;
    }
    std::string token(s_.substr(start, pos_ - start));
    RefField f{key, Kind::kNumber};
    if (integral) {
      errno = 0;
      char* end = nullptr;
      if (negative) {
        long long v = std::strtoll(token.c_str(), &end, 10);
        if (errno == 0) f.integer_token = true, f.integer = v;
      } else {
        unsigned long long v = std::strtoull(token.c_str(), &end, 10);
        if (errno == 0 && v <= static_cast<unsigned long long>(std::numeric_limits<int64_t>::max())) {
          f.integer_token = true, f.integer = static_cast<int64_t>(v);
        } else if (errno == 0) {
          f.value = static_cast<double>(v);
          if (!in_array) fields_.push_back(f);
          return true;
        }
      }
    }
    f.value = f.integer_token ? static_cast<double>(f.integer) : std::strtod(token.c_str(), nullptr);
    if (!std::isfinite(f.value)) return false;  // nlohmann: "number overflow"
    if (!in_array) fields_.push_back(f);
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool Hex4(uint32_t& out) {
    out = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      unsigned c = Byte(pos_);
      out <<= 4;
      if (c >= '0' && c <= '9') {
        out |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        out |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        out |= c - 'A' + 10;
      } else {
        return false;
      }
    }
    return true;
  }

  // One well-formed UTF-8 sequence (Unicode table 3-7) starting at pos_, appended to `out`.
  bool Utf8(std::string* out) {
    unsigned b0 = Byte(pos_);
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;  // range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      n = 2;
    } else if (b0 == 0xE0) {
      n = 3, lo = 0xA0;
    } else if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) {
      n = 3;
    } else if (b0 == 0xED) {
      n = 3, hi = 0x9F;
    } else if (b0 == 0xF0) {
      n = 4, lo = 0x90;
    } else if (b0 >= 0xF1 && b0 <= 0xF3) {
      n = 4;
    } else if (b0 == 0xF4) {
      n = 4, hi = 0x8F;
    } else {
      return false;
    }
    for (size_t i = 1; i < n; ++i) {
      unsigned b = Byte(pos_ + i);
      if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    }
    if (out) out->append(s_.substr(pos_, n));
    pos_ += n;
    return true;
  }

  // A JSON string; its decoded text goes to `out` when given.
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    for (;;) {
      unsigned c = Byte(pos_);
      if (c == 0x100 || c < 0x20) return false;
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c >= 0x80) {
        if (!Utf8(out)) return false;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        if (out) *out += static_cast<char>(c);
        continue;
      }
      unsigned e = Byte(pos_++);
      if (e == 'u') {
        uint32_t cp;
        if (!Hex4(cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          if (!EatWord("\\u") || !Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        if (out) AppendUtf8(cp, *out);
        continue;
      }
      // Pairs of (escape letter, the character it stands for).
      static constexpr std::string_view kEscapes = "\"\"\\\\//b\bf\fn\nr\rt\t";
      size_t i = 0;
      while (i < kEscapes.size() && static_cast<unsigned char>(kEscapes[i]) != e) i += 2;
      if (i >= kEscapes.size()) return false;
      char plain = kEscapes[i + 1];
      if (out) *out += plain;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::vector<RefField> fields_;
};

}  // namespace trail::fuzz
