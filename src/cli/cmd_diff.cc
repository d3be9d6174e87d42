// trail diff: what differs between two runs.
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <set>

#include "commands.h"
#include "model_text.h"
#include "table.h"
#include "terminal.h"
#include "trail/format.h"
#include "trail/models.h"
#include "trail/runs.h"

namespace trail::cli {
namespace {

// Rows "key | a | b" for keys whose values differ (or all, with `all`).
std::vector<Row> CompareMaps(const Json& a, const Json& b, bool all, Json* json_out) {
  std::vector<std::string> keys;
  std::set<std::string> seen;
  for (const Json* m : {&a, &b}) {
    if (!m->is_object()) continue;
    for (auto it = m->begin(); it != m->end(); ++it)
      if (seen.insert(it.key()).second) keys.push_back(it.key());
  }
  std::vector<Row> rows;
  for (const auto& k : keys) {
    Json va = a.is_object() ? a.value(k, Json()) : Json();
    Json vb = b.is_object() ? b.value(k, Json()) : Json();
    if (va == vb && !all) continue;
    auto show = [](const Json& v) {
      if (v.is_null()) return std::string("-");
      if (v.is_array()) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : " ") + api::ScalarText(x);
        return s;
      }
      if (v.is_object()) return api::DumpJson(v, -1);
      if (v.is_number_float()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.6g", v.get<double>());
        return std::string(buf);
      }
      return api::ScalarText(v);
    };
    rows.push_back({"  " + k, show(va), show(vb)});
    if (json_out) (*json_out)[k] = Json::array({va, vb});
  }
  return rows;
}

Json MetricLasts(const Json& r) {
  Json out = Json::object();
  if (r.contains("metrics") && r["metrics"].contains("summary")) {
    for (auto it = r["metrics"]["summary"].begin(); it != r["metrics"]["summary"].end(); ++it) {
      out[it.key() + " (last)"] = it.value().value("last", Json());
      out[it.key() + " (min)"] = it.value().value("min", Json());
    }
  }
  return out;
}

std::string Snapshot(const Json& r) {
  if (!r.contains("code") || !r["code"].is_object()) return "";
  return api::GetString(r["code"], "snapshot");
}

}  // namespace

std::function<int()> SetupDiff(CLI::App& sub) {
  struct Opts {
    std::string a, b, format = "text";
    bool code = false, all = false, models = false;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("a", o->a, "first run")->required();
  sub.add_option("b", o->b, "second run")->required();
  sub.add_flag("--code", o->code, "print the full patch between the two code snapshots");
  sub.add_flag("--all", o->all, "also list values that are equal");
  sub.add_flag("--models", o->models,
               "also compare the runs' primary model artifacts tensor by tensor (as trail model diff A B)");
  sub.add_option("--format", o->format, "text | json")->check(CLI::IsMember({"text", "json"}));
  return [o] {
    auto project = OpenProject();
    if (!project) return 1;
    auto a = api::LoadRun(*project, o->a);
    if (!a.ok()) return Fail(a.status());
    auto b = api::LoadRun(*project, o->b);
    if (!b.ok()) return Fail(b.status());
    const Json& ra = a->record;
    const Json& rb = b->record;
    Json json = Json::object();
    Json jp = Json::object(), jm = Json::object(), je = Json::object(), jt = Json::object();
    auto params = CompareMaps(ra.value("params", Json::object()), rb.value("params", Json::object()), o->all, &jp);
    auto metrics = CompareMaps(MetricLasts(ra), MetricLasts(rb), o->all, &jm);
    Json attrs_a = {{"status", ra.value("status", Json())},
                    {"duration_s", ra.value("duration_s", Json())},
                    {"user", ra.contains("user") ? ra["user"].value("name", Json()) : Json()},
                    {"command", ra.value("command", Json())}};
    Json attrs_b = {{"status", rb.value("status", Json())},
                    {"duration_s", rb.value("duration_s", Json())},
                    {"user", rb.contains("user") ? rb["user"].value("name", Json()) : Json()},
                    {"command", rb.value("command", Json())}};
    auto attrs = CompareMaps(attrs_a, attrs_b, o->all, &jt);
    Json env_a = ra.value("environment", Json::object());
    Json env_b = rb.value("environment", Json::object());
    env_a["host"] = ra.value("host", Json());
    env_b["host"] = rb.value("host", Json());
    auto env = CompareMaps(env_a, env_b, o->all, &je);
    auto tags = CompareMaps(ra.value("tags", Json::object()), rb.value("tags", Json::object()), o->all, nullptr);

    std::string snap_a = Snapshot(ra), snap_b = Snapshot(rb);
    std::string stat, patch;
    if (!snap_a.empty() && !snap_b.empty()) {
      auto s = api::CodeDiffStat(*project, snap_a, snap_b);
      if (s.ok()) stat = *s;
      if (o->code) {
        auto p = api::CodePatch(*project, snap_a, snap_b);
        if (!p.ok()) return Fail(p.status());
        patch = *p;
      }
    }
    std::string ida = api::GetString(ra, "id"), idb = api::GetString(rb, "id");
    std::optional<api::ModelDiffReport> models;
    if (o->models) {
      api::ModelRef ma, mb;
      ma.run.run = ida;
      mb.run.run = idb;
      api::ModelDiffOptions options;
      options.all = o->all;
      auto d = api::DiffModels(project.get(), ma, mb, options);
      if (!d.ok()) return Fail(d.status());
      models = std::move(*d);
    }
    if (o->format == "json") {
      json["a"] = ida;
      json["b"] = idb;
      json["attributes"] = jt;
      json["params"] = jp;
      json["metrics"] = jm;
      json["environment"] = je;
      json["code"] = {{"a", snap_a}, {"b", snap_b}, {"stat", stat}};
      if (o->code) json["code"]["patch"] = patch;
      if (models) json["models"] = models->diff;
      std::printf("%s\n", api::DumpJson(json).c_str());
      return 0;
    }
    std::string out;
    auto section = [&](const char* title, const std::vector<Row>& rows) {
      if (rows.empty()) return;
      out += std::string("\n") + title + "\n";
      out += RenderTable({"", ida, idb}, rows);
    };
    out += "trail diff " + ida + " " + idb + "\n";
    section("Run", attrs);
    section("Params", params);
    section("Metrics", metrics);
    section("Tags", tags);
    section("Environment", env);
    out += "\nCode\n";
    if (snap_a == snap_b) {
      out += "  same snapshot " + snap_a.substr(0, 12) + "\n";
    } else if (stat.empty()) {
      out += "  same source tree\n";
    } else {
      out += PaintDiff(STDOUT_FILENO, stat);
      if (!o->code) out += "  (trail diff " + ida + " " + idb + " --code for the patch)\n";
    }
    if (models) out += "\nModels\n" + RenderModelDiff(*models);
    std::fputs(out.c_str(), stdout);
    if (o->code) std::fputs(PaintDiff(STDOUT_FILENO, patch).c_str(), stdout);
    return 0;
  };
}

}  // namespace trail::cli
