// trail model register / alias / ls / show: the model registry (docs/models.md, "The registry").
#include <cstdio>

#include "commands.h"
#include "table.h"
#include "trail/format.h"
#include "trail/model_registry.h"

namespace trail::cli {
namespace {

std::string RegistryStr(const Json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string AliasList(const std::map<std::string, int64_t>& aliases) {
  std::string out;
  for (const auto& [alias, version] : aliases) out += (out.empty() ? "" : ", ") + alias + "=" + std::to_string(version);
  return out;
}

std::string MoveLine(const api::AliasMove& m) {
  std::string what = m.deleted ? "deleted" : "-> version " + (m.version ? std::to_string(m.version) : "?");
  if (m.from_version) what += " (was " + std::to_string(m.from_version) + ")";
  std::string line = LocalTime(m.when) + "  " + m.alias + " " + what + "  by " + m.user;
  if (!m.message.empty()) line += ": " + m.message;
  return line;
}

void PrintLineage(const Json& lineage) {
  if (!lineage.is_object()) return;
  const Json code = lineage.value("code", Json());
  if (code.is_object())
    std::printf("code:       %s (snapshot %s)\n", RegistryStr(code, "commit").c_str(),
                RegistryStr(code, "snapshot").c_str());
  const Json data = lineage.value("data", Json());
  if (data.is_array())
    for (const Json& d : data)
      std::printf("data:       %s %s %s\n", RegistryStr(d, "role").c_str(), RegistryStr(d, "source").c_str(),
                  RegistryStr(d, "oid").c_str());
  const Json params = lineage.value("params", Json());
  if (params.is_object())
    for (auto it = params.begin(); it != params.end(); ++it)
      std::printf("param:      %s = %s\n", it.key().c_str(), api::ScalarText(it.value()).c_str());
  const Json metrics = lineage.value("metrics", Json());
  if (metrics.is_object())
    for (auto it = metrics.begin(); it != metrics.end(); ++it)
      std::printf("metric:     %s last %s\n", it.key().c_str(), Cell(it.value().value("last", Json())).c_str());
}

}  // namespace

std::function<int()> SetupModelRegister(CLI::App& sub) {
  auto r = std::make_shared<api::RegisterModelRequest>();
  sub.add_option("name", r->name, "model name: letters, digits, '-', '_', '.' (at most 100)")->required();
  sub.add_option("run", r->run, "the run whose artifact this version is (id, number or uid)")->required();
  sub.add_option("artifact", r->artifacts,
                 "the artifacts, by path, file name or role (default: the run's one model artifact); each brings "
                 "the files it needs: a TF checkpoint's .index, .data-* shards and checkpoint file, a "
                 "SavedModel's variables/, an ONNX model's external data");
  sub.add_option("-m,--message", r->message, "why this version exists");
  sub.add_option("--tag", r->tags, "k=v, repeatable");
  return [r] {
    auto project = OpenProject();
    if (!project) return 1;
    auto v = api::RegisterModel(*project, *r);
    if (!v.ok()) return Fail(v.status());
    const Json& artifact = v->artifacts.at(0);
    const size_t more = v->artifacts.size() - 1;
    std::string with;
    if (more) with = ", with " + std::to_string(more) + (more == 1 ? " more file" : " more files");
    std::printf("trail: registered %s version %lld from %s (%s, %s%s)\n", v->name.c_str(),
                static_cast<long long>(v->version), RegistryStr(v->record, "run").c_str(),
                RegistryStr(artifact, "path").c_str(), RegistryStr(artifact, "oid").c_str(), with.c_str());
    return 0;
  };
}

std::function<int()> SetupModelAlias(CLI::App& sub) {
  auto r = std::make_shared<api::AliasRequest>();
  sub.add_option("name", r->name, "model name")->required();
  sub.add_option("alias", r->alias, "alias: production, staging, champion, ...")->required();
  sub.add_option("version", r->version, "the version it moves to: N, latest or @OTHER-ALIAS");
  sub.add_option("-m,--message", r->message, "why (kept in the alias history)");
  sub.add_flag("--delete", r->remove, "remove the alias (the removal is kept in its history)");
  return [r] {
    if (r->version.empty() && !r->remove) {
      PrintError("trail model alias: name the VERSION it moves to, or --delete");
      return 2;
    }
    if (!r->version.empty() && r->remove) {
      PrintError("trail model alias: --delete takes no VERSION");
      return 2;
    }
    auto project = OpenProject();
    if (!project) return 1;
    auto m = api::MoveModelAlias(*project, *r);
    if (!m.ok()) return Fail(m.status());
    if (m->deleted) {
      std::printf("trail: %s@%s deleted (was version %lld)\n", r->name.c_str(), m->alias.c_str(),
                  static_cast<long long>(m->from_version));
    } else if (m->from_version) {
      std::printf("trail: %s@%s -> version %lld (was %lld)\n", r->name.c_str(), m->alias.c_str(),
                  static_cast<long long>(m->version), static_cast<long long>(m->from_version));
    } else {
      std::printf("trail: %s@%s -> version %lld\n", r->name.c_str(), m->alias.c_str(),
                  static_cast<long long>(m->version));
    }
    return 0;
  };
}

std::function<int()> SetupModelLs(CLI::App& sub) {
  auto format = std::make_shared<std::string>("table");
  sub.add_option("--format", *format, "table | json")->check(CLI::IsMember({"table", "json"}));
  return [format] {
    auto project = OpenProject();
    if (!project) return 1;
    std::vector<std::string> warnings;
    auto models = api::ListModels(*project, &warnings);
    PrintWarnings(warnings);
    if (!models.ok()) return Fail(models.status());
    if (*format == "json") {
      std::printf("%s\n", api::DumpJson(api::ModelSummariesJson(*models)).c_str());
      return 0;
    }
    std::vector<Row> rows;
    for (const api::ModelSummary& s : *models) {
      rows.push_back({s.name, std::to_string(s.latest.version), std::to_string(s.versions),
                      RegistryStr(s.latest.record, "run"), LocalTime(RegistryStr(s.latest.record, "registered")),
                      AliasList(s.aliases)});
    }
    std::printf("%s", RenderTable({"model", "latest", "versions", "run", "registered", "aliases"}, rows).c_str());
    return 0;
  };
}

std::function<int()> SetupModelShow(CLI::App& sub) {
  auto ref = std::make_shared<std::string>();
  auto at = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  sub.add_option("model", *ref, "NAME (latest version), NAME:N or NAME@ALIAS")->required();
  sub.add_option("--at", *at,
                 "with NAME@ALIAS: the version the alias named at this time (a date = its end, UTC; or ISO-8601)");
  sub.add_option("--format", *format, "text | json")->check(CLI::IsMember({"text", "json"}));
  return [ref, at, format] {
    auto project = OpenProject();
    if (!project) return 1;
    auto view = api::ShowModel(*project, *ref, *at);
    if (!view.ok()) return Fail(view.status());
    PrintWarnings(view->warnings);
    if (*format == "json") {
      std::printf("%s\n", api::DumpJson(api::ModelViewJson(*view)).c_str());
      return 0;
    }
    const Json& rec = view->version.record;
    const Json& files = view->version.artifacts;
    std::printf("model:      %s\n", view->version.name.c_str());
    std::printf("version:    %lld", static_cast<long long>(view->version.version));
    if (rec.contains("renumbered_from"))
      std::printf(" (registered as %s)", api::ScalarText(rec["renumbered_from"]).c_str());
    std::printf("\n");
    if (!view->at.empty()) std::printf("at:         %s\n", view->at.c_str());
    std::printf("aliases:    %s\n", Join(view->version.aliases).c_str());
    std::printf("run:        %s\n", RegistryStr(rec, "run").c_str());
    // The primary file, then (a checkpoint's shards, a SavedModel's variables) the others.
    for (size_t i = 0; i < files.size(); ++i) {
      const Json& f = files[i];
      std::printf("%s%s (%s, %s)\n", i == 0 ? "artifact:   " : "  with:     ", RegistryStr(f, "path").c_str(),
                  RegistryStr(f, "role").c_str(), RegistryStr(f, "oid").c_str());
    }
    std::printf("registered: %s by %s <%s>\n", LocalTime(RegistryStr(rec, "registered")).c_str(),
                RegistryStr(rec.value("user", Json()), "name").c_str(),
                RegistryStr(rec.value("user", Json()), "email").c_str());
    if (!RegistryStr(rec, "message").empty()) std::printf("message:    %s\n", RegistryStr(rec, "message").c_str());
    const Json tags = rec.value("tags", Json());
    if (tags.is_object())
      for (auto it = tags.begin(); it != tags.end(); ++it)
        std::printf("tag:        %s = %s\n", it.key().c_str(), api::ScalarText(it.value()).c_str());
    PrintLineage(rec.value("lineage", Json()));
    if (!view->history.empty()) {
      std::printf("\nalias history:\n");
      for (const api::AliasMove& m : view->history) std::printf("  %s\n", MoveLine(m).c_str());
    }
    return 0;
  };
}

}  // namespace trail::cli
