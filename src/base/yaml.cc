#include "base/yaml.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cmath>

#include "base/numbers.h"
#include "base/text.h"

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

// YAML 1.2 core-schema resolution of a plain scalar.
Json ResolvePlain(const std::string& s) {
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

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  if (!IsValidUtf8(s)) return true;               // quoting replaces the bad bytes with U+FFFD
  if (!ResolvePlain(s).is_string()) return true;  // would read back as a number/bool/null
  static const std::string kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s[0]) != std::string::npos) return true;
  // YAML 1.1 readers (PyYAML, most tools) also read 0x1F, 1_000, 1:30,
  // 2024-01-01, "=" and "<<" as something other than text: quote anything
  // that starts like a number or is one of those keys.
  static const std::string kNumberish = "0123456789+.=<~";
  if (kNumberish.find(s[0]) != std::string::npos) return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return true;
    if (c == '#' && i > 0 && s[i - 1] == ' ') return true;
  }
  // Words other YAML readers (YAML 1.1) take for booleans.
  static const char* const kYaml11Bool[] = {"y",  "Y",  "yes", "Yes", "YES", "n",   "N",   "no",
                                            "No", "NO", "on",  "On",  "ON",  "off", "Off", "OFF"};
  for (const char* word : kYaml11Bool)
    if (s == word) return true;
  return false;
}

std::string QuoteString(const std::string& s) {
  // SanitizeUtf8 first: it replaces each bad byte with U+FFFD, as every other
  // path that cleans text does, where nlohmann's handler would replace a whole
  // bad sequence with one.
  return Json(IsValidUtf8(s) ? s : SanitizeUtf8(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Scalar(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case Json::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case Json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d)) return ".nan";
      if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
      std::string t = FormatDouble(d);
      // Keep floats floats on the way back: 3.0 must not read as the int 3,
      // and YAML 1.1 readers need a '.' in 1e-05 (written 1.0e-05).
      auto e = t.find_first_of("eE");
      if (t.find('.') == std::string::npos) {
        if (e == std::string::npos)
          t += ".0";
        else
          t.insert(e, ".0");
      }
      return t;
    }
    case Json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      return NeedsQuotes(s) ? QuoteString(s) : s;
    }
    default:
      return "null";
  }
}

bool IsScalar(const Json& v) { return !v.is_object() && !v.is_array(); }

void EmitNode(const Json& v, int indent, std::string& out);

void EmitEntries(const Json& v, int indent, std::string& out) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += pad;
      std::string key = NeedsQuotes(it.key()) ? QuoteString(it.key()) : it.key();
      if (key.size() > 1000) {
        // YAML limits implicit keys to 1024 characters: use the explicit form.
        out += "? " + key + "\n" + pad;
      } else {
        out += key;
      }
      out += ':';
      const Json& child = it.value();
      if (IsScalar(child) || child.empty()) {
        out += ' ';
        out += child.is_object() ? "{}" : child.is_array() ? "[]" : Scalar(child);
        out += '\n';
      } else {
        out += '\n';
        EmitNode(child, indent + 2, out);
      }
    }
  }
}

void EmitNode(const Json& v, int indent, std::string& out) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    EmitEntries(v, indent, out);
  } else if (v.is_array()) {
    for (const Json& item : v) {
      out += pad;
      out += "- ";
      if (IsScalar(item) || item.empty()) {
        out += item.is_object() ? "{}" : item.is_array() ? "[]" : Scalar(item);
        out += '\n';
      } else if (item.is_object()) {
        // First key on the dash line, the rest aligned under it.
        std::string nested;
        EmitEntries(item, indent + 2, nested);
        out += nested.substr(static_cast<size_t>(indent) + 2);
      } else {
        out += '\n';
        EmitNode(item, indent + 2, out);
      }
    }
  } else {
    out += pad + Scalar(v) + '\n';
  }
}

// Our own depth limit, reported like yaml-cpp's (an alias that refers to
// itself is infinitely deep).
struct TooDeep {
  YAML::Mark mark;
};

Status NestedTooDeeply(const std::string& what, const YAML::Mark& mark, int max_depth) {
  return Corrupt(what + ": line " + std::to_string(mark.line + 1) + ": nested too deeply (more than " +
                 std::to_string(max_depth) + " levels)");
}

// Converts yaml-cpp's node graph. Aliases can make it cyclic (`a: &a [*a]`)
// or exponentially large ("billion laughs"), so depth and size are bounded.
struct Converter {
  static constexpr int64_t kMaxNodes = 200000;  // a record has summaries, not series
  int max_depth = kMaxRecordDepth;
  int64_t nodes = 0;

  Json operator()(const YAML::Node& n, int depth) {
    if (depth > max_depth) throw TooDeep{n.Mark()};
    if (++nodes > kMaxNodes) throw YAML::Exception(n.Mark(), "too many values (aliases expand too far)");
    switch (n.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar:
        if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") return SanitizeUtf8(n.Scalar());
        return ResolvePlain(SanitizeUtf8(n.Scalar()));
      case YAML::NodeType::Sequence: {
        Json arr = Json::array();
        for (const auto& item : n) arr.push_back((*this)(item, depth + 1));
        return arr;
      }
      case YAML::NodeType::Map: {
        Json obj = Json::object();
        for (const auto& kv : n) {
          if (!kv.first.IsScalar()) throw YAML::Exception(kv.first.Mark(), "a key must be a plain value");
          obj[SanitizeUtf8(kv.first.Scalar())] = (*this)(kv.second, depth + 1);
        }
        return obj;
      }
    }
    return nullptr;
  }
};

}  // namespace

std::string EmitYaml(const Json& value) {
  std::string out;
  EmitNode(value, 0, out);
  return out;
}

StatusOr<Json> ParseYaml(const std::string& text, const std::string& what, int max_depth) {
  try {
    Converter convert;
    convert.max_depth = max_depth;
    return convert(YAML::Load(text), 0);
  } catch (const TooDeep& e) {
    return NestedTooDeeply(what, e.mark, max_depth);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own depth guard, whose message is a bare "bad file".
    return NestedTooDeeply(what, e.mark, max_depth);
  } catch (const YAML::Exception& e) {
    return Corrupt(what + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

std::string DumpJson(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace trail
