#include "record/record.h"

#include <cstdio>
#include <functional>

#include "base/numbers.h"

namespace trail::record {

std::string MakeRunId(const std::string& project, int64_t number) { return project + "-" + std::to_string(number); }

std::optional<int64_t> RunNumberOf(const std::string& id) {
  auto dash = id.find_last_of('-');
  std::string digits = dash == std::string::npos ? id : id.substr(dash + 1);
  auto n = ParseInt(digits);
  if (!n || *n < 1 || digits.empty() || digits[0] == '+' || digits[0] == '-') return std::nullopt;
  return n;
}

std::string ShardOf(int64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%03lld", static_cast<long long>(number / 1000));
  return buf;
}

std::string RunDir(const std::string& id, int64_t number) {
  return std::string(kRunsDir) + "/" + ShardOf(number) + "/" + id;
}

std::string RecordPath(const std::string& id, int64_t number) { return RunDir(id, number) + "/" + kRecordFile; }

std::string SeriesFileName(const std::string& key) {
  std::string out;
  for (unsigned char c : key) {
    bool safe =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (safe) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  if (out.empty() || out[0] == '.') out = "%2E" + out.substr(out.empty() ? 0 : 1);
  if (out.size() > 200) {
    // File systems allow 255 bytes a name: keep a readable prefix and make it unique with a hash.
    char hash[20];
    std::snprintf(hash, sizeof hash, "-%016llx", static_cast<unsigned long long>(std::hash<std::string>{}(key)));
    out = out.substr(0, 180) + hash;
  }
  return out + ".tsv";
}

namespace {

Json Reorder(const Json& obj, const std::vector<const char*>& order) {
  if (!obj.is_object()) return obj;
  Json out = Json::object();
  for (const char* k : order) {
    auto it = obj.find(k);
    if (it != obj.end()) out[k] = *it;
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!out.contains(it.key())) out[it.key()] = it.value();
  }
  return out;
}

}  // namespace

Json Canonical(const Json& record) {
  // One key a line, so that adding a key is a one-line change.
  // clang-format off
  static const std::vector<const char*> kTop = {"trail",
                                                "id",
                                                "number",
                                                "renumbered_from",
                                                "uid",
                                                "name",
                                                "parent",
                                                "reproduces",
                                                "status",
                                                "exit_code",
                                                "signal",
                                                "pruned",
                                                "user",
                                                "started",
                                                "ended",
                                                "duration_s",
                                                "attempts",
                                                "command",
                                                "cwd",
                                                "host",
                                                "code",
                                                "params",
                                                "hyperparameters",
                                                "seed",
                                                "metrics",
                                                "functions",
                                                "seeds",
                                                "data",
                                                "artifacts",
                                                "output",
                                                "environment",
                                                "tags",
                                                "notes",
                                                "archived",
                                                "context",
                                                "warnings"};
  // clang-format on
  static const std::vector<const char*> kCode = {"entry_point", "branch", "commit",  "snapshot",
                                                 "ref",         "dirty",  "changed", "skipped"};
  static const std::vector<const char*> kMetrics = {"summary", "derived", "series", "warnings"};
  Json out = Reorder(record, kTop);
  if (out.contains("code")) out["code"] = Reorder(out["code"], kCode);
  if (out.contains("metrics")) out["metrics"] = Reorder(out["metrics"], kMetrics);
  return out;
}

std::string Serialize(const Json& record) { return EmitYaml(Canonical(record)); }

StatusOr<Json> Parse(const std::string& yaml_text, const std::string& what) {
  TRAIL_ASSIGN_OR_RETURN(Json j, ParseYaml(yaml_text, what));
  if (!j.is_object()) return Corrupt(what + ": not a run record (expected a mapping)");
  if (!j.contains("id") || !j["id"].is_string()) return Corrupt(what + ": run record has no id");
  if (!j.contains("number") || !j["number"].is_number_integer()) return Corrupt(what + ": run record has no number");
  return j;
}

std::string ScalarText(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      return v.get<std::string>();
    case Json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case Json::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case Json::value_t::number_float:
      return FormatDouble(v.get<double>());
    case Json::value_t::null:
      return "";
    default:
      return DumpJson(v, -1);
  }
}

Json TypedValue(const std::string& text) {
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  // "007" and "+5" are identifiers people typed, not numbers.
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '-') digits.remove_prefix(1);
  bool leading_zero = digits.size() > 1 && digits[0] == '0' && digits[1] != '.' && digits[1] != 'e' && digits[1] != 'E';
  if (leading_zero || text.empty() || text[0] == '+') return text;
  if (auto i = ParseInt(text)) return *i;
  if (auto d = ParseDouble(text); d && text.find_first_of("0123456789") != std::string::npos) return *d;
  return text;
}

std::string GetString(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return ScalarText(*it);
}

double GetNumber(const Json& j, const char* key, double fallback) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return fallback;
  return it->get<double>();
}

}  // namespace trail::record
