#include "registry/model_reader.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "base/clock.h"
#include "base/safe_path.h"
#include "record/record.h"
#include "record/registry_layout.h"

namespace trail::registry {
namespace {

// A record far past any real one is refused rather than parsed.
constexpr size_t kMaxRecordBytes = 1 << 20;

bool IsOid(const Json& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() != 7 + 64 || !s.starts_with("sha256:")) return false;
  return std::all_of(s.begin() + 7, s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string Str(const Json& j, const char* key) { return record::GetString(j, key); }

int64_t Int(const Json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// The size is read from the object's header first: a huge blob is refused, never loaded.
StatusOr<Json> ReadRecord(Project& project, const std::string& tip, const std::string& path, const std::string& oid) {
  TRAIL_ASSIGN_OR_RETURN(git::TreeFile entry, project.repo().StatTreeFile(tip, path));
  if (entry.mode != 0100644 && entry.mode != 0100755) return Corrupt(path + ": not a regular file");
  if (entry.size < 0 || static_cast<uint64_t>(entry.size) > kMaxRecordBytes)
    return Corrupt(path + ": larger than any registry record");
  TRAIL_ASSIGN_OR_RETURN(std::string text, project.repo().ReadBlob(oid));
  TRAIL_ASSIGN_OR_RETURN(Json rec, ParseYaml(text, path));
  if (!rec.is_object()) return Corrupt(path + ": expected a mapping");
  return rec;
}

// More files than any model holds: a record claiming more is refused, not walked.
constexpr size_t kMaxVersionFiles = 100000;

bool IsCount(const Json& v) { return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0); }

// One file entry of a version (`artifact`, or an item of `artifacts`).
Status CheckFile(const Json& a, const std::string& path, const std::string& what) {
  auto bad = [&](const std::string& why) { return Corrupt(path + ": " + what + " " + why); };
  if (!a.is_object()) return bad("is not a mapping");
  if (!IsOid(a.value("oid", Json()))) return bad("oid is not a sha256 id");
  TRAIL_RETURN_IF_ERROR(CheckRelativePath(Str(a, "path"), path + ": " + what + " path", true));
  const std::string type = Str(a, "type");
  if (!type.empty() && type != "file" && type != "folder") return bad("has an unknown type \"" + type + "\"");
  for (const char* key : {"size", "files"})
    if (a.contains(key) && !IsCount(a[key])) return bad(std::string(key) + " is not a count");
  return Status::Ok();
}

// Checks a version record against its path and returns its files, primary first; Corrupt naming
// the path and the problem.
StatusOr<Json> CheckVersion(const Json& rec, const std::string& path, const std::string& name, int64_t number) {
  auto bad = [&](const std::string& why) { return Corrupt(path + ": " + why); };
  if (Str(rec, "model") != name) return bad("its model is not " + name);
  if (Int(rec, "version") != number) return bad("its version is not " + std::to_string(number));
  if (!record::IsRegistryUid(Str(rec, "uid"))) return bad("no valid uid");
  if (Str(rec, "run").empty()) return bad("no run");
  // Older trail reads `artifact` only, so a record may carry both; it is checked whenever present.
  if (rec.contains("artifact")) TRAIL_RETURN_IF_ERROR(CheckFile(rec["artifact"], path, "the artifact's"));
  if (!rec.contains("artifacts")) {
    if (!rec.contains("artifact")) return bad("no artifact");
    return Json::array({rec["artifact"]});
  }
  const Json& files = rec["artifacts"];
  if (!files.is_array() || files.empty()) return bad("artifacts is not a list of files");
  if (files.size() > kMaxVersionFiles) return bad("more than " + std::to_string(kMaxVersionFiles) + " artifacts");
  std::set<std::string> seen;
  for (size_t i = 0; i < files.size(); ++i) {
    TRAIL_RETURN_IF_ERROR(CheckFile(files[i], path, "artifacts[" + std::to_string(i) + "]'s"));
    if (!seen.insert(Str(files[i], "path")).second)
      return bad("the file " + Str(files[i], "path") + " is listed twice");
  }
  return files;
}

Status CheckMove(const Json& rec, const std::string& path, const std::string& name, const std::string& alias) {
  auto bad = [&](const std::string& why) { return Corrupt(path + ": " + why); };
  if (Str(rec, "model") != name || Str(rec, "alias") != alias) return bad("its model or alias disagrees with its path");
  const std::string action = Str(rec, "action");
  if (action != "set" && action != "delete") return bad("unknown action \"" + action + "\"");
  if (action == "set" && !record::IsRegistryUid(Str(rec, "version_uid"))) return bad("no valid version_uid");
  const std::string from = Str(rec, "from_uid");
  if (!from.empty() && !record::IsRegistryUid(from)) return bad("from_uid is not a uid");
  if (!ParseIsoTime(Str(rec, "when"))) return bad("no valid time");
  return Status::Ok();
}

}  // namespace

const Version* Model::Find(int64_t number) const {
  for (const Version& v : versions)
    if (v.number == number) return &v;
  return nullptr;
}

const Version* Model::FindUid(const std::string& uid) const {
  for (const Version& v : versions)
    if (v.uid == uid) return &v;
  return nullptr;
}

std::map<std::string, const Version*> Model::AliasesAt(std::optional<double> at) const {
  std::map<std::string, const Version*> out;
  for (const AliasMove& m : moves) {
    if (at && m.when > *at) continue;
    const Version* v = m.deleted ? nullptr : FindUid(m.version_uid);
    if (v) {
      out[m.alias] = v;
    } else {
      out.erase(m.alias);
    }
  }
  return out;
}

StatusOr<std::string> RunsTip(Project& project) {
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> tip, project.repo().ResolveRef(project.runs_ref()));
  return tip.value_or("");
}

StatusOr<std::vector<std::string>> ListModelNames(Project& project, const std::string& tip) {
  std::vector<std::string> names;
  if (tip.empty()) return names;
  auto entries = project.repo().ListDir(tip, record::kModelsDir);
  if (!entries.ok()) {
    if (entries.status().code() == Code::kNotFound) return names;
    return entries.status();
  }
  for (const git::TreeEntry& e : *entries)
    if (e.is_tree && record::IsModelName(e.name)) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  return names;
}

StatusOr<Model> LoadModel(Project& project, const std::string& tip, const std::string& name) {
  TRAIL_RETURN_IF_ERROR(record::CheckModelName(name, "model name"));
  Model model;
  model.name = name;
  if (tip.empty()) return NotFound("no model " + name + " (nothing registered yet)");
  git::Repo& repo = project.repo();
  auto versions = repo.ListDir(tip, record::VersionsDir(name));
  if (!versions.ok() && versions.status().code() != Code::kNotFound) return versions.status();
  if (versions.ok()) {
    for (const git::TreeEntry& e : *versions) {
      const std::string path = record::VersionsDir(name) + "/" + e.name;
      auto number = record::VersionOfFileName(e.name);
      if (e.is_tree || !number) {
        model.warnings.push_back(path + ": not a version record; skipped");
        continue;
      }
      auto rec = ReadRecord(project, tip, path, e.oid);
      StatusOr<Json> files = rec.ok() ? CheckVersion(*rec, path, name, *number) : StatusOr<Json>(rec.status());
      Status ok = files.status();
      if (!ok.ok()) {
        model.warnings.push_back(ok.message() + "; skipped");
        continue;
      }
      if (model.FindUid(Str(*rec, "uid"))) {
        model.warnings.push_back(path + ": a uid another version has; skipped");
        continue;
      }
      model.versions.push_back({name, *number, Str(*rec, "uid"), path, std::move(*rec), std::move(*files)});
    }
  }
  std::sort(model.versions.begin(), model.versions.end(),
            [](const Version& a, const Version& b) { return a.number < b.number; });

  Status walked = repo.ForEachFile(
      tip, record::ModelDir(name) + "/" + record::kAliasesDir, "",
      [&](const std::string& path, const std::string& oid) -> Status {
        if (!record::IsAliasMovePath(path)) {
          model.warnings.push_back(path + ": not an alias move; skipped");
          return Status::Ok();
        }
        const size_t alias_start = record::ModelDir(name).size() + 1 + std::string(record::kAliasesDir).size() + 1;
        const std::string alias = path.substr(alias_start, path.find('/', alias_start) - alias_start);
        auto rec = ReadRecord(project, tip, path, oid);
        Status ok = rec.ok() ? CheckMove(*rec, path, name, alias) : rec.status();
        if (!ok.ok()) {
          model.warnings.push_back(ok.message() + "; skipped");
          return Status::Ok();
        }
        AliasMove m;
        m.alias = alias;
        m.deleted = Str(*rec, "action") == "delete";
        m.version_uid = m.deleted ? "" : Str(*rec, "version_uid");
        m.from_uid = Str(*rec, "from_uid");
        m.when = *ParseIsoTime(Str(*rec, "when"));
        m.path = path;
        m.record = std::move(*rec);
        model.moves.push_back(std::move(m));
        return Status::Ok();
      });
  TRAIL_RETURN_IF_ERROR(walked);
  std::sort(model.moves.begin(), model.moves.end(),
            [](const AliasMove& a, const AliasMove& b) { return std::tie(a.when, a.path) < std::tie(b.when, b.path); });
  for (AliasMove& m : model.moves) {
    const Version* to = model.FindUid(m.version_uid);
    const Version* from = model.FindUid(m.from_uid);
    m.version = to ? to->number : 0;
    m.from_version = from ? from->number : 0;
  }
  if (model.versions.empty() && model.moves.empty()) return NotFound("no model " + name);
  return model;
}

StatusOr<ModelRef> ParseModelRef(const std::string& text) {
  ModelRef ref;
  const size_t at = text.find('@');
  const size_t colon = text.find(':');
  if (at != std::string::npos && colon != std::string::npos)
    return InvalidArgument("\"" + text + "\": name a version (NAME:N) or an alias (NAME@ALIAS), not both");
  ref.name = text.substr(0, std::min(at, colon));
  TRAIL_RETURN_IF_ERROR(record::CheckModelName(ref.name, "model name"));
  if (at != std::string::npos) {
    ref.alias = text.substr(at + 1);
    TRAIL_RETURN_IF_ERROR(record::CheckModelName(ref.alias, "alias"));
  } else if (colon != std::string::npos) {
    std::string n = text.substr(colon + 1);
    if (n.starts_with("v")) n = n.substr(1);
    auto number = record::VersionOfFileName(n + ".yaml");
    if (!number) return InvalidArgument("\"" + text + "\": the version after ':' is not a number from 1");
    ref.version = *number;
  }
  return ref;
}

StatusOr<const Version*> Resolve(const Model& model, const ModelRef& ref, std::optional<double> at) {
  if (!ref.alias.empty()) {
    auto aliases = model.AliasesAt(at);
    auto it = aliases.find(ref.alias);
    if (it == aliases.end())
      return NotFound("model " + model.name + " has no alias " + ref.alias + (at ? " at " + FormatIsoTime(*at) : ""));
    return it->second;
  }
  if (ref.version) {
    const Version* v = model.Find(ref.version);
    if (!v) return NotFound("model " + model.name + " has no version " + std::to_string(ref.version));
    return v;
  }
  if (!model.Latest()) return NotFound("model " + model.name + " has no versions");
  return model.Latest();
}

StatusOr<double> ParseAtTime(const std::string& text) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    auto start = ParseIsoTime(text + "T00:00:00Z");
    if (start) return *start + 86400 - 0.001;  // the end of that day: what held on that date
  }
  auto t = ParseIsoTime(text);
  if (!t) return InvalidArgument("--at \"" + text + "\": expected a date (2026-11-01) or an ISO-8601 UTC time");
  return *t;
}

}  // namespace trail::registry
