#include "registry/model_registry.h"

#include <algorithm>

#include "base/clock.h"
#include "record/record.h"
#include "record/registry_layout.h"
#include "registry/version_files.h"

namespace trail::registry {
namespace {

// What the version keeps of its run: enough to rebuild the model without the run's record.
Json Lineage(const Json& rec) {
  Json lineage = Json::object();
  const Json code = rec.value("code", Json());
  if (code.is_object()) {
    Json c = Json::object();
    for (const char* key : {"entry_point", "commit", "snapshot", "ref", "dirty"})
      if (code.contains(key)) c[key] = code[key];
    if (!c.empty()) lineage["code"] = c;
  }
  const Json data = rec.value("data", Json());
  if (data.is_array() && !data.empty()) {
    Json d = Json::array();
    for (const Json& item : data) {
      if (!item.is_object()) continue;
      Json e = Json::object();
      for (const char* key : {"role", "source", "oid"})
        if (item.contains(key)) e[key] = item[key];
      d.push_back(e);
    }
    lineage["data"] = d;
  }
  const Json params = rec.value("params", Json());
  if (params.is_object() && !params.empty()) lineage["params"] = params;
  const Json metrics = rec.value("metrics", Json());
  if (metrics.is_object() && metrics.contains("summary") && metrics["summary"].is_object() &&
      !metrics["summary"].empty())
    lineage["metrics"] = metrics["summary"];
  return lineage;
}

Json UserJson(const Project& project) {
  const git::Identity who = project.user();
  Json user = Json::object();
  if (!who.name.empty()) user["name"] = who.name;
  if (!who.email.empty()) user["email"] = who.email;
  return user;
}

// "20261107T083012345Z-1a2b3c4d.yaml": sorts by time, unique per move.
std::string MoveFileName(const std::string& when, const std::string& uid) {
  std::string compact;
  for (char c : when)
    if (c != '-' && c != ':' && c != '.') compact += c;
  return compact + "-" + uid.substr(0, 12) + ".yaml";
}

// The version `spec` names: "3", "v3", "latest", "@alias".
StatusOr<const Version*> VersionOf(const Model& model, const std::string& spec) {
  ModelRef ref;
  ref.name = model.name;
  if (spec == "latest") return Resolve(model, ref, std::nullopt);
  if (spec.starts_with("@")) {
    ref.alias = spec.substr(1);
    TRAIL_RETURN_IF_ERROR(record::CheckModelName(ref.alias, "alias"));
    return Resolve(model, ref, std::nullopt);
  }
  const std::string digits = spec.starts_with("v") ? spec.substr(1) : spec;
  auto n = record::VersionOfFileName(digits + ".yaml");
  if (!n) return InvalidArgument("version \"" + spec + "\": expected a number (3), latest or @ALIAS");
  ref.version = *n;
  return Resolve(model, ref, std::nullopt);
}

}  // namespace

StatusOr<Version> RegisterVersion(Project& project, const RegisterOptions& options) {
  TRAIL_RETURN_IF_ERROR(record::CheckModelName(options.name, "model name"));
  if (!options.tags.is_object()) return InvalidArgument("tags must be a mapping");
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, project.LockWriters());
  TRAIL_ASSIGN_OR_RETURN(StoredRun run, project.LoadRun(options.run));
  TRAIL_ASSIGN_OR_RETURN(Json files, PickVersionFiles(run.record, options.artifacts));
  TRAIL_ASSIGN_OR_RETURN(std::string tip, RunsTip(project));
  int64_t highest = 0;
  // Numbers are taken from the files, valid or not: a skipped record still owns its number.
  auto listed = project.repo().ListDir(tip, record::VersionsDir(options.name));
  if (listed.ok())
    for (const git::TreeEntry& e : *listed) highest = std::max(highest, record::VersionOfFileName(e.name).value_or(0));
  if (highest >= record::kMaxModelVersion)
    return FailedPrecondition("model " + options.name + " has too many versions");

  Json rec = Json::object();
  rec["model"] = options.name;
  rec["version"] = highest + 1;
  rec["uid"] = record::RegistryUid();
  rec["run"] = record::GetString(run.record, "id");
  rec["run_uid"] = record::GetString(run.record, "uid");
  // `artifact` (the primary file) is what trail before multi-file versions reads; `artifacts` is
  // every file, primary first (docs/formats/model-registry.md).
  rec["artifact"] = files.front();
  rec["artifacts"] = files;
  rec["user"] = UserJson(project);
  rec["registered"] = FormatIsoTime(NowUnixSeconds());
  if (!options.message.empty()) rec["message"] = options.message;
  if (!options.tags.empty()) rec["tags"] = options.tags;
  Json lineage = Lineage(run.record);
  if (!lineage.empty()) rec["lineage"] = lineage;

  Version v{options.name, highest + 1, rec["uid"].get<std::string>(), record::VersionPath(options.name, highest + 1),
            rec,          files};
  TRAIL_ASSIGN_OR_RETURN(std::string commit,
                         project.Commit({{v.path, EmitYaml(rec)}}, "trail: model " + options.name + " version " +
                                                                       std::to_string(v.number) + " from " +
                                                                       rec["run"].get<std::string>()));
  (void)commit;
  return v;
}

StatusOr<AliasMove> MoveAlias(Project& project, const AliasOptions& options) {
  TRAIL_RETURN_IF_ERROR(record::CheckModelName(options.name, "model name"));
  TRAIL_RETURN_IF_ERROR(record::CheckModelName(options.alias, "alias"));
  if (options.alias == "latest")
    return InvalidArgument("alias \"latest\" is reserved: it always names the newest version");
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, project.LockWriters());
  TRAIL_ASSIGN_OR_RETURN(std::string tip, RunsTip(project));
  TRAIL_ASSIGN_OR_RETURN(Model model, LoadModel(project, tip, options.name));
  auto now = model.AliasesAt(std::nullopt);
  auto current = now.find(options.alias);
  const Version* from = current == now.end() ? nullptr : current->second;
  const Version* to = nullptr;
  if (options.remove) {
    if (!from) return FailedPrecondition("model " + options.name + " has no alias " + options.alias + " to delete");
  } else {
    TRAIL_ASSIGN_OR_RETURN(to, VersionOf(model, options.version));
  }

  // Moves of one model are ordered by time: a move never takes a time before the last one, even
  // within one millisecond or with the clock stepped back.
  double when = NowUnixSeconds();
  for (const AliasMove& earlier : model.moves)
    when = std::max(when, earlier.when + 0.0015);  // > 1 ms after, whatever the rounding
  AliasMove m;
  m.alias = options.alias;
  m.deleted = options.remove;
  m.when = when;
  Json rec = Json::object();
  rec["model"] = options.name;
  rec["alias"] = options.alias;
  rec["action"] = options.remove ? "delete" : "set";
  if (to) {
    rec["version"] = to->number;
    rec["version_uid"] = to->uid;
    m.version = to->number;
    m.version_uid = to->uid;
  }
  if (from) {
    rec["from_version"] = from->number;
    rec["from_uid"] = from->uid;
    m.from_version = from->number;
    m.from_uid = from->uid;
  }
  rec["user"] = UserJson(project);
  rec["when"] = FormatIsoTime(when);
  if (!options.message.empty()) rec["message"] = options.message;
  m.path = record::AliasDir(options.name, options.alias) + "/" + MoveFileName(rec["when"], record::RegistryUid());
  m.record = rec;
  const std::string what = options.remove ? "deleted" : "-> version " + std::to_string(to->number);
  TRAIL_ASSIGN_OR_RETURN(
      std::string commit,
      project.Commit({{m.path, EmitYaml(rec)}}, "trail: model " + options.name + "@" + options.alias + " " + what));
  (void)commit;
  return m;
}

}  // namespace trail::registry
