// Helpers shared by the fuzz harnesses: a check that aborts (so libFuzzer records the input as a
// crash, and the replay test fails), and the exact comparisons the round-trip checks need.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/numbers.h"
#include "base/text.h"
#include "base/yaml.h"

// Aborts with the failed condition and a note when `cond` is false. Unlike assert() it is never
// compiled out: a harness that stops checking under NDEBUG would pass everything.
#define FUZZ_CHECK(cond, note)                                           \
  do {                                                                   \
    if (!(cond)) ::trail::fuzz::Fail(__FILE__, __LINE__, #cond, (note)); \
  } while (0)

namespace trail::fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* cond, std::string_view note) {
  std::fprintf(stderr, "%s:%d: check failed: %s\n  %.*s\n", file, line, cond, static_cast<int>(note.size()),
               note.data());
  std::fflush(stderr);
  std::abort();
}

// `text` with every byte outside printable ASCII as \xNN, for failure notes.
inline std::string Escaped(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

// What `value` becomes once written as YAML and read back: every string and key with invalid
// UTF-8 replaced by U+FFFD (util/text.h), keys that become equal merged as a YAML reader merges
// duplicate keys (first position, last value).
inline Json Sanitized(const Json& value) {
  if (value.is_string()) return SanitizeUtf8(value.get_ref<const std::string&>());
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& item : value) out.push_back(Sanitized(item));
    return out;
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[SanitizeUtf8(it.key())] = Sanitized(it.value());
    return out;
  }
  return value;
}

// Compact JSON-like text of `value` for failure notes. Unlike Json::dump it never throws and shows
// bytes that are not UTF-8 as \xNN instead of replacing them.
inline std::string Shown(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: {
      std::string out = "{";
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (out.size() > 1) out += ", ";
        out += "\"" + Escaped(it.key()) + "\": " + Shown(it.value());
      }
      return out + "}";
    }
    case Json::value_t::array: {
      std::string out = "[";
      for (const Json& item : value) out += (out.size() > 1 ? ", " : "") + Shown(item);
      return out + "]";
    }
    case Json::value_t::string:
      return "\"" + Escaped(value.get_ref<const std::string&>()) + "\"";
    case Json::value_t::number_float:
      return FormatDouble(value.get<double>()) + "(float)";
    default:
      return value.dump();
  }
}

// Same double: bit for bit, except that every NaN equals every NaN (no format trail writes keeps
// a NaN's sign or payload).
inline bool SameDouble(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

// Json equality that nlohmann's operator== is too lenient for: the types must match (1 is not 1.0),
// floats compare with SameDouble, and object keys must come in the same order.
inline bool Identical(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Json::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
        if (x.key() != y.key() || !Identical(x.value(), y.value())) return false;
      }
      return true;
    }
    case Json::value_t::array: {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!Identical(a[i], b[i])) return false;
      }
      return true;
    }
    case Json::value_t::number_float:
      return SameDouble(a.get<double>(), b.get<double>());
    default:
      return a == b;
  }
}

}  // namespace trail::fuzz
