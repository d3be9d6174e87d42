#include "trail/model_registry.h"

#include "api/model_version_record.h"
#include "api/project_access.h"
#include "base/clock.h"
#include "record/record.h"
#include "registry/model_reader.h"
#include "registry/model_registry.h"
#include "tracked/run_restore.h"

namespace trail::api {
namespace {

std::string UserText(const Json& user) {
  const std::string name = record::GetString(user, "name"), email = record::GetString(user, "email");
  if (email.empty()) return name;
  return name.empty() ? "<" + email + ">" : name + " <" + email + ">";
}

ModelVersion FromVersion(const registry::Version& v, const std::map<std::string, const registry::Version*>& aliases) {
  ModelVersion out{v.name, v.number, v.uid, v.path, v.record, {}, v.artifacts};
  for (const auto& [alias, target] : aliases)
    if (target && target->uid == v.uid) out.aliases.push_back(alias);
  return out;
}

AliasMove FromMove(const registry::AliasMove& m) {
  AliasMove out;
  out.alias = m.alias;
  out.deleted = m.deleted;
  out.version = m.version;
  out.from_version = m.from_version;
  out.when = record::GetString(m.record, "when");
  out.user = UserText(m.record.value("user", Json()));
  out.message = record::GetString(m.record, "message");
  return out;
}

std::map<std::string, int64_t> Numbers(const std::map<std::string, const registry::Version*>& aliases) {
  std::map<std::string, int64_t> out;
  for (const auto& [alias, v] : aliases) out[alias] = v->number;
  return out;
}

Json VersionJson(const ModelVersion& v) {
  Json j = v.record;
  j["aliases"] = v.aliases;
  j["artifacts"] = v.artifacts;  // also for a record that has only `artifact`
  return j;
}

Json MoveJson(const AliasMove& m) {
  Json j = Json::object();
  j["alias"] = m.alias;
  j["action"] = m.deleted ? "delete" : "set";
  j["version"] = m.version ? Json(m.version) : Json();
  j["from_version"] = m.from_version ? Json(m.from_version) : Json();
  j["when"] = m.when;
  j["user"] = m.user;
  j["message"] = m.message;
  return j;
}

}  // namespace

StatusOr<ModelVersion> RegisterModel(Project& handle, const RegisterModelRequest& request) {
  registry::RegisterOptions options;
  options.name = request.name;
  options.run = request.run;
  options.artifacts = request.artifacts;
  options.message = request.message;
  for (const std::string& tag : request.tags) {
    const size_t eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("--tag \"" + tag + "\": expected KEY=VALUE");
    options.tags[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  auto v = registry::RegisterVersion(ProjectAccess::Of(handle), options);
  if (!v.ok()) return v.status();
  return FromVersion(*v, {});  // the writer fills `artifacts`: never empty
}

StatusOr<AliasMove> MoveModelAlias(Project& handle, const AliasRequest& request) {
  registry::AliasOptions options{request.name, request.alias, request.version, request.message, request.remove};
  auto m = registry::MoveAlias(ProjectAccess::Of(handle), options);
  if (!m.ok()) return m.status();
  return FromMove(*m);
}

StatusOr<std::vector<ModelSummary>> ListModels(Project& handle, std::vector<std::string>* warnings) {
  trail::Project& project = ProjectAccess::Of(handle);
  TRAIL_ASSIGN_OR_RETURN(std::string tip, registry::RunsTip(project));
  TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> names, registry::ListModelNames(project, tip));
  std::vector<ModelSummary> out;
  for (const std::string& name : names) {
    auto model = registry::LoadModel(project, tip, name);
    if (!model.ok()) {
      if (model.status().code() == Code::kNotFound) continue;
      return model.status();
    }
    if (warnings) warnings->insert(warnings->end(), model->warnings.begin(), model->warnings.end());
    if (!model->Latest()) continue;
    const auto aliases = model->AliasesAt(std::nullopt);
    ModelSummary s;
    s.name = name;
    s.versions = static_cast<int64_t>(model->versions.size());
    s.latest = FromVersion(*model->Latest(), aliases);
    s.aliases = Numbers(aliases);
    out.push_back(std::move(s));
  }
  return out;
}

StatusOr<ModelView> ShowModel(Project& handle, const std::string& ref_text, const std::string& at_text) {
  trail::Project& project = ProjectAccess::Of(handle);
  TRAIL_ASSIGN_OR_RETURN(registry::ModelRef ref, registry::ParseModelRef(ref_text));
  std::optional<double> at;
  if (!at_text.empty()) {
    TRAIL_ASSIGN_OR_RETURN(at, registry::ParseAtTime(at_text));
  }
  TRAIL_ASSIGN_OR_RETURN(std::string tip, registry::RunsTip(project));
  TRAIL_ASSIGN_OR_RETURN(registry::Model model, registry::LoadModel(project, tip, ref.name));
  TRAIL_ASSIGN_OR_RETURN(const registry::Version* v, registry::Resolve(model, ref, at));
  const auto aliases = model.AliasesAt(at);
  ModelView view;
  view.version = FromVersion(*v, aliases);
  view.at = at ? FormatIsoTime(*at) : "";
  view.aliases = Numbers(aliases);
  for (const registry::AliasMove& m : model.moves) view.history.push_back(FromMove(m));
  for (const registry::Version& each : model.versions) view.versions.push_back(FromVersion(each, aliases));
  view.warnings = model.warnings;
  return view;
}

StatusOr<Json> LoadModelVersionRecord(trail::Project& project, const std::string& ref_text) {
  TRAIL_ASSIGN_OR_RETURN(registry::ModelRef ref, registry::ParseModelRef(ref_text));
  TRAIL_ASSIGN_OR_RETURN(std::string tip, registry::RunsTip(project));
  TRAIL_ASSIGN_OR_RETURN(registry::Model model, registry::LoadModel(project, tip, ref.name));
  TRAIL_ASSIGN_OR_RETURN(const registry::Version* v, registry::Resolve(model, ref, std::nullopt));
  Json rec = Json::object();
  rec["id"] = v->name + "-v" + std::to_string(v->number);
  rec["artifacts"] = v->artifacts;
  rec["model"] = v->name;
  rec["version"] = v->number;
  return rec;
}

StatusOr<GetResult> GetModel(Project& handle, const std::string& ref_text, const std::string& out, bool force) {
  trail::Project& project = ProjectAccess::Of(handle);
  // The version's files restored as a run's artifacts would be: a record holding just them.
  TRAIL_ASSIGN_OR_RETURN(Json rec, LoadModelVersionRecord(project, ref_text));
  auto done = RestoreArtifacts(project, rec, {}, out, force);
  if (!done.ok()) return done.status();
  GetResult result;
  result.id = record::GetString(rec, "model") + ":" + std::to_string(rec["version"].get<int64_t>());
  result.out = done->out;
  result.warnings = done->warnings;
  for (const trail::RestoredArtifact& a : done->restored)
    result.restored.push_back({a.path, a.role, a.dest, a.size, a.folder});
  return result;
}

Json ModelSummariesJson(const std::vector<ModelSummary>& models) {
  Json out = Json::array();
  for (const ModelSummary& s : models) {
    Json j = Json::object();
    j["name"] = s.name;
    j["versions"] = s.versions;
    j["latest"] = s.latest.version;
    j["run"] = record::GetString(s.latest.record, "run");
    j["registered"] = record::GetString(s.latest.record, "registered");
    j["aliases"] = s.aliases;
    out.push_back(j);
  }
  return out;
}

Json ModelViewJson(const ModelView& view) {
  Json j = VersionJson(view.version);
  if (!view.at.empty()) j["at"] = view.at;
  j["model_aliases"] = view.aliases;
  Json history = Json::array();
  for (const AliasMove& m : view.history) history.push_back(MoveJson(m));
  j["alias_history"] = history;
  Json versions = Json::array();
  for (const ModelVersion& v : view.versions) {
    Json e = Json::object();
    e["version"] = v.version;
    e["run"] = record::GetString(v.record, "run");
    e["registered"] = record::GetString(v.record, "registered");
    e["aliases"] = v.aliases;
    versions.push_back(e);
  }
  j["versions"] = versions;
  return j;
}

}  // namespace trail::api
