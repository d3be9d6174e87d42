#include "record/params.h"

#include "base/files.h"
#include "base/secrets.h"
#include "record/dvc_params.h"
#include "record/record.h"

namespace trail::record {
namespace {

bool IsLongOption(const std::string& a) {
  return a.size() > 2 && a[0] == '-' && a[1] == '-' && (std::isalpha(static_cast<unsigned char>(a[2])));
}

bool LooksLikeNegativeNumber(const std::string& a) {
  return a.size() > 1 && a[0] == '-' && (std::isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.');
}

}  // namespace

void FlattenParams(const Json& v, const std::string& prefix, Json& out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it)
      FlattenParams(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (!prefix.empty()) {
    out[prefix] = v;
  }
}

Json ParamsFromArgs(const std::vector<std::string>& argv) {
  Json params = Json::object();
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") break;  // what follows belongs to someone else
    if (!IsLongOption(a)) continue;
    std::string body = a.substr(2);
    auto eq = body.find('=');
    if (eq != std::string::npos) {
      params[body.substr(0, eq)] = TypedValue(body.substr(eq + 1));
    } else if (i + 1 < argv.size() &&
               (argv[i + 1].empty() || argv[i + 1][0] != '-' || LooksLikeNegativeNumber(argv[i + 1]))) {
      params[body] = TypedValue(argv[++i]);
    } else {
      params[body] = true;
    }
  }
  return params;
}

StatusOr<Json> ParseAssignments(const std::vector<std::string>& items, const char* flag, bool typed) {
  Json out = Json::object();
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgument(std::string(flag) + " '" + item + "': expected key=value");
    std::string value = item.substr(eq + 1);
    out[item.substr(0, eq)] = typed ? TypedValue(value) : Json(value);
  }
  return out;
}

StatusOr<Json> ParamsFromFiles(const std::string& dir) {
  // The other params files DVC's stages list first: params.yaml's values win over theirs.
  TRAIL_ASSIGN_OR_RETURN(Json out, ParamsFromDvcYaml(dir));
  for (const char* name : {"params.yaml", "params.json"}) {
    std::string path = JoinPath(dir, name);
    auto text = ReadParamsFile(path, name);
    if (!text.ok()) {
      if (text.status().code() == Code::kNotFound) continue;
      return text.status();
    }
    // YAML is a superset of JSON, so one parser reads both.
    // Params land a few levels deep in run.yaml: keep them well inside the
    // depth records are read with.
    TRAIL_ASSIGN_OR_RETURN(Json doc, ParseYaml(*text, path, kMaxRecordDepth / 4));
    if (!doc.is_object() && !doc.is_null()) return InvalidArgument(path + ": expected a mapping of params");
    FlattenParams(doc, "", out);
  }
  return out;
}

void MergeInto(Json& base, const Json& over) {
  for (auto it = over.begin(); it != over.end(); ++it) base[it.key()] = it.value();
}

void MaskSecretParams(Json& params) {
  if (!params.is_object()) return;
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (!it.value().is_boolean() && IsSecretName(it.key())) it.value() = kMaskedValue;
  }
}

}  // namespace trail::record
