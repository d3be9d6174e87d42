#include "base/yaml.h"

#include <cmath>
#include <cstdio>

#include "base/numbers.h"
#include "base/text.h"
#include "base/yaml_scalars.h"

namespace trail {
namespace {

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  if (!IsValidUtf8(s)) return true;                   // quoting replaces the bad bytes with U+FFFD
  if (!ResolveYamlPlain(s).is_string()) return true;  // would read back as a number/bool/null
  if (HasYamlUnsafeChars(s)) return true;             // only a double-quoted scalar can escape them
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
  std::string json = Json(IsValidUtf8(s) ? s : SanitizeUtf8(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (!HasYamlUnsafeChars(json)) return json;
  // JSON leaves DEL, the C1 controls, U+FFFE/U+FFFF and U+0085/U+2028/U+2029 as they are; YAML
  // refuses the first and folds the others: each becomes a \u escape, which both read.
  std::string out;
  out.reserve(json.size() + 16);
  for (size_t i = 0; i < json.size();) {
    const size_t start = i;
    const uint32_t c = NextCodePoint(json, i);
    if (IsYamlPrintable(c) && c != 0x85 && c != 0x2028 && c != 0x2029) {
      out.append(json, start, i - start);
    } else {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04X", static_cast<unsigned>(c));
      out += escape;
    }
  }
  return out;
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

}  // namespace

std::string EmitYaml(const Json& value) {
  std::string out;
  EmitNode(value, 0, out);
  return out;
}

std::string DumpJson(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace trail
