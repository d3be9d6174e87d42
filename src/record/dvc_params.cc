#include "record/dvc_params.h"

#include <sys/stat.h>

#include <set>
#include <vector>

#include "base/files.h"
#include "base/paths.h"
#include "base/safe_path.h"
#include "base/text.h"
#include "record/params.h"

namespace trail::record {
namespace {

// Params land a few levels deep in run.yaml: keep them well inside the depth records are read
// with (as params.cc does).
constexpr int kMaxParamsDepth = kMaxRecordDepth / 4;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One `params:` item of a stage, as (file, keys); keys empty: the whole file.
struct Listed {
  std::string file;
  std::vector<std::string> keys;
};

Status AddItems(const Json& params, std::vector<Listed>* out) {
  if (!params.is_array()) return Status::Ok();
  for (const Json& item : params) {
    if (!item.is_object()) continue;  // a key of params.yaml
    for (auto it = item.begin(); it != item.end(); ++it) {
      Listed l{it.key(), {}};
      if (it.value().is_array()) {
        for (const Json& k : it.value()) {
          if (k.is_string()) l.keys.push_back(k.get<std::string>());
        }
      }
      out->push_back(std::move(l));
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> ReadParamsFile(const std::string& path, const std::string& shown) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound(shown + ": not found");
  } else if (st.st_size > kMaxParamsFileBytes) {
    return InvalidArgument(shown + ": " + std::to_string(st.st_size) + " bytes, more than a params file may have (" +
                           std::to_string(kMaxParamsFileBytes) + ")");
  }
  TRAIL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  if (static_cast<int64_t>(text.size()) > kMaxParamsFileBytes)
    return InvalidArgument(shown + ": more than a params file may have (" + std::to_string(kMaxParamsFileBytes) + ")");
  return text;
}

StatusOr<Json> ParamsFromDvcYaml(const std::string& dir) {
  Json out = Json::object();
  struct stat st {};
  const std::string dvc_yaml = JoinPath(dir, "dvc.yaml");
  if (::lstat(dvc_yaml.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return out;  // none, or not ours to follow
  auto text = ReadParamsFile(dvc_yaml, "dvc.yaml");
  if (!text.ok()) return text.status().code() == Code::kNotFound ? StatusOr<Json>(out) : text.status();
  TRAIL_ASSIGN_OR_RETURN(Json doc, ParseYaml(*text, dvc_yaml, kMaxParamsDepth));
  if (!doc.is_object() || !doc.contains("stages") || !doc["stages"].is_object()) return out;
  std::vector<Listed> listed;
  for (const Json& stage : doc["stages"]) {
    if (!stage.is_object()) continue;
    if (stage.contains("params")) TRAIL_RETURN_IF_ERROR(AddItems(stage["params"], &listed));
    if (stage.contains("do") && stage["do"].is_object() && stage["do"].contains("params"))
      TRAIL_RETURN_IF_ERROR(AddItems(stage["do"]["params"], &listed));
  }
  std::set<std::string> checked;
  for (const Listed& l : listed) {
    // params.yaml is read whole anyway; templates are DVC's to fill in; TOML has no reader here
    // and a Python params file would have to run.
    if (l.file == "params.yaml" || l.file.find("${") != std::string::npos) continue;
    if (!(EndsWith(l.file, ".yaml") || EndsWith(l.file, ".yml") || EndsWith(l.file, ".json"))) continue;
    TRAIL_RETURN_IF_ERROR(CheckRelativePath(l.file, "dvc.yaml: params file", /*outside_repo_dirs=*/true));
    TRAIL_RETURN_IF_ERROR(CheckNoLinkBelow(dir, l.file, &checked));
    const std::string path = JoinPath(dir, l.file);
    auto file_text = ReadParamsFile(path, l.file);
    if (!file_text.ok()) {
      if (file_text.status().code() == Code::kNotFound) continue;
      return file_text.status();
    }
    TRAIL_ASSIGN_OR_RETURN(Json file_doc, ParseYaml(*file_text, l.file, kMaxParamsDepth));
    if (!file_doc.is_object() && !file_doc.is_null()) return InvalidArgument(l.file + ": expected a mapping of params");
    Json flat = Json::object();
    FlattenParams(file_doc, "", flat);
    if (l.keys.empty()) {
      for (auto it = flat.begin(); it != flat.end(); ++it) out[it.key()] = it.value();
      continue;
    }
    for (const std::string& key : l.keys) {
      // A key names a value or a whole section ("model" takes model.depth, model.width).
      for (auto it = flat.begin(); it != flat.end(); ++it) {
        if (it.key() == key || it.key().rfind(key + ".", 0) == 0) out[it.key()] = it.value();
      }
    }
  }
  return out;
}

}  // namespace trail::record
