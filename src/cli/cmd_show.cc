// trail show: one run's whole record, grouped as the paper's Table 3.
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "commands.h"
#include "model_text.h"
#include "table.h"
#include "terminal.h"
#include "trail/format.h"
#include "trail/runs.h"

namespace trail::cli {
namespace {

void Section(std::string& out, const std::string& title) { out += "\n" + title + "\n"; }

void Line(std::string& out, const std::string& key, const std::string& value) {
  if (value.empty()) return;
  char buf[64];
  std::snprintf(buf, sizeof buf, "  %-14s ", key.c_str());
  out += buf + value + "\n";
}

// Records read back from YAML hold sizes as signed integers.
std::string SizeCell(const Json& item) {
  if (!item.contains("size") || !item["size"].is_number_integer() || item["size"].get<int64_t>() < 0) return "";
  return api::FormatBytes(item["size"].get<uint64_t>());
}

std::string Text(const Json& v) {
  if (v.is_array()) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " ") + api::ScalarText(x);
    return s;
  }
  if (v.is_object()) return api::DumpJson(v, -1);
  return api::ScalarText(v);
}

// key: value lines of a flat mapping, aligned like Line().
void Mapping(std::string& out, const Json& m) {
  for (auto it = m.begin(); it != m.end(); ++it) {
    std::string v = Text(it.value());
    Line(out, it.key(), v.empty() ? "\"\"" : v);
  }
}

// Nested mappings as indented key: value lines, keys aligned per level;
// lists of scalars on one line, floats to 4 significant digits.
void Tree(std::string& out, const Json& m, int depth) {
  size_t width = 14;
  for (auto it = m.begin(); it != m.end(); ++it) width = std::max(width, it.key().size() + 2 * depth);
  for (auto it = m.begin(); it != m.end(); ++it) {
    const Json& v = it.value();
    std::string indent(2 + 2 * depth, ' ');
    bool scalar_list =
        v.is_array() && std::all_of(v.begin(), v.end(), [](const Json& x) { return !x.is_structured(); });
    if (v.is_object() && !v.empty()) {
      out += indent + it.key() + ":\n";
      Tree(out, v, depth + 1);
    } else if (v.is_array() && !v.empty() && !scalar_list) {
      out += indent + it.key() + ":\n";
      for (const auto& item : v) out += indent + "  - " + api::DumpJson(item, -1) + "\n";
    } else {
      std::string text = v.is_number_float() ? Cell(v) : Text(v);
      if (text.empty()) text = v.is_array() ? "none" : "\"\"";
      out += indent + it.key() + std::string(width + 1 - 2 * depth - it.key().size(), ' ') + text + "\n";
    }
  }
}

// Table 1: one line per function, grouped by category in the order found.
void Functions(std::string& out, const Json& functions) {
  std::vector<Row> rows;
  for (const auto& f : functions) {
    if (!f.is_object()) continue;
    std::string where;
    if (f.contains("at") && f["at"].is_array() && !f["at"].empty()) where = api::ScalarText(f["at"][0]);
    std::string found;
    if (f.contains("found") && f["found"].is_array() && !f["found"].empty()) found = api::ScalarText(f["found"][0]);
    rows.push_back({"  " + api::GetString(f, "category"), api::GetString(f, "name"), found, where});
  }
  out += RenderTable({"  type", "function", "as written", "where"}, rows);
}

std::string Render(const Json& r) {
  std::string out;
  out += "Run " + api::GetString(r, "id");
  if (r.contains("name")) out += " \"" + api::GetString(r, "name") + "\"";
  out += "  " + PaintStatus(STDOUT_FILENO, api::GetString(r, "status"));
  if (r.contains("exit_code")) out += " (exit " + api::GetString(r, "exit_code") + ")";
  out += "\n";
  Line(out, "uid", api::GetString(r, "uid"));
  if (r.contains("user") && r["user"].is_object()) {
    std::string u = api::GetString(r["user"], "name");
    std::string e = api::GetString(r["user"], "email");
    Line(out, "data scientist", e.empty() ? u : u + " <" + e + ">");
  }
  Line(out, "parent", api::GetString(r, "parent"));
  Line(out, "reproduces", api::GetString(r, "reproduces"));
  Line(out, "stopped early", api::GetString(r, "pruned"));
  Line(out, "archived", r.value("archived", false) ? "yes" : "");

  Section(out, "Time");
  Line(out, "started", LocalTime(api::GetString(r, "started")));
  Line(out, "ended", LocalTime(api::GetString(r, "ended")));
  if (r.contains("duration_s")) Line(out, "duration", api::FormatDuration(api::GetNumber(r, "duration_s")));
  // A resumed run (trail run --resume): one line per attempt, oldest first.
  if (r.contains("attempts") && r["attempts"].is_array()) {
    size_t n = 0;
    for (const Json& a : r["attempts"]) {
      if (!a.is_object()) continue;
      std::string line = LocalTime(api::GetString(a, "started")) + "  " + api::GetString(a, "status");
      if (a.contains("exit_code")) line += " (exit " + api::GetString(a, "exit_code") + ")";
      line += " in " + api::FormatDuration(api::GetNumber(a, "duration_s"));
      Line(out, "attempt " + std::to_string(++n), line);
    }
  }

  // A run of several processes (docs/distributed.md): its ranks and how each went.
  if (r.contains("ranks") && r["ranks"].is_object()) {
    const Json& ranks = r["ranks"];
    Section(out, "Ranks (one run, several processes)");
    Line(out, "world size", api::GetString(ranks, "world_size"));
    Line(out, "group", api::GetString(ranks, "group") + " (" + api::GetString(ranks, "launcher") + ")");
    if (ranks.contains("status")) Line(out, "status", Text(ranks["status"]));
    Line(out, "failed", api::GetString(ranks, "failed"));
  }

  Section(out, "Program (ML program source code)");
  Line(out, "command", Text(r.value("command", Json())));
  Line(out, "cwd", api::GetString(r, "cwd"));
  if (r.contains("code") && r["code"].is_object()) {
    const Json& c = r["code"];
    Line(out, "entry point", api::GetString(c, "entry_point"));
    Line(out, "branch", api::GetString(c, "branch"));
    Line(out, "commit", api::GetString(c, "commit"));
    std::string snap = api::GetString(c, "snapshot");
    if (!snap.empty()) snap += "  (" + api::GetString(c, "ref") + ")";
    Line(out, "snapshot", snap);
    // Dirty also when files were left out of the snapshot (too large, or secrets) with no
    // tracked file changed, or when the commit had no HEAD to compare with.
    const Json changed = c.value("changed", Json::array());
    const bool left_out = !c.value("skipped", Json::array()).empty() || !c.value("excluded", Json::array()).empty();
    std::string dirty = "no";
    if (c.value("dirty", false)) {
      if (!changed.empty())
        dirty = "yes: " + Text(changed);
      else if (left_out)
        dirty = "yes: files left out of the snapshot (below)";
      else
        dirty = "yes";
    }
    Line(out, "dirty", dirty);
    Line(out, "left out", Text(c.value("skipped", Json::array())));
    Line(out, "secret files", Text(c.value("excluded", Json::array())));
  }

  Section(out, "Environment (processors, versions)");
  Line(out, "host", api::GetString(r, "host"));
  if (r.contains("environment")) Tree(out, r["environment"], 0);

  if (r.contains("params") && !r["params"].empty()) {
    Section(out, "Params (hyper-parameters used)");
    Mapping(out, r["params"]);
  }
  if (r.contains("hyperparameters") && !r["hyperparameters"].empty()) {
    Section(out, "Hyper-parameters searched (range / selection)");
    Mapping(out, r["hyperparameters"]);
  }
  // Seeds: the one trail set (--seed, trail.seed) and the seed calls found in the sources.
  const bool seeds = r.contains("seeds") && r["seeds"].is_array() && !r["seeds"].empty();
  if (r.contains("seed") || seeds) {
    Section(out, "Seeds (trail reproduce passes them again)");
    Line(out, "seed", r.contains("seed") ? Text(r["seed"]) : "");
    if (seeds) {
      std::vector<Row> rows;
      for (const Json& c : r["seeds"]) {
        if (!c.is_object()) continue;
        rows.push_back({"  " + api::GetString(c, "call"), api::GetString(c, "value"), api::GetString(c, "at")});
      }
      out += RenderTable({"", "value", "at"}, rows);
    }
  }
  if (r.contains("functions") && !r["functions"].empty()) {
    Section(out, "Functions (Table 1: loss, optimisation, activation, regularisation)");
    Functions(out, r["functions"]);
  }
  if (r.contains("metrics") && r["metrics"].contains("summary")) {
    Section(out, "Metrics");
    std::vector<Row> rows;
    for (auto it = r["metrics"]["summary"].begin(); it != r["metrics"]["summary"].end(); ++it) {
      const Json& s = it.value();
      rows.push_back({"  " + it.key(), Cell(s.value("last", Json())),
                      Cell(s.value("min", Json())) + " @" + Text(s.value("min_step", Json())),
                      Cell(s.value("max", Json())) + " @" + Text(s.value("max_step", Json())),
                      Text(s.value("count", Json()))});
    }
    out += RenderTable({"", "last", "min @step", "max @step", "count"}, rows);
    if (r["metrics"].contains("derived") && !r["metrics"]["derived"].empty()) {
      Section(out, "Derived metrics");
      Tree(out, r["metrics"]["derived"], 0);
    }
  }
  if (r.contains("data") && r["data"].is_array() && !r["data"].empty()) {
    Section(out, "Data (trail get ID --snapshot ROLE)");
    std::vector<Row> rows;
    for (const auto& d : r["data"]) {
      std::string snap;
      if (d.contains("snapshot") && d["snapshot"].is_object()) {
        const Json& s = d["snapshot"];
        snap = Text(s.value("rows", Json())) + " rows (" + Cell(s.value("fraction", Json())) + ", seed " +
               Text(s.value("seed", Json())) + (s.contains("stratify") ? ", by " + Text(s["stratify"]) : "") + ")";
      }
      rows.push_back({"  " + Text(d.value("role", Json())), Text(d.value("source", Json())),
                      Text(d.value("format", Json())), SizeCell(d), Text(d.value("instances", Json())), snap,
                      Text(d.value("oid", Json())).substr(0, 19)});
    }
    out += RenderTable({"", "source", "format", "size", "instances", "snapshot", "oid"}, rows);
  }
  if (r.contains("artifacts") && r["artifacts"].is_array() && !r["artifacts"].empty()) {
    Section(out, "Artifacts (trail get ID [ARTIFACT])");
    std::vector<Row> rows;
    for (const auto& a : r["artifacts"]) {
      rows.push_back({"  " + Text(a.value("path", Json())), Text(a.value("role", Json())), SizeCell(a),
                      a.contains("oid") ? Text(a["oid"]).substr(0, 19) : "(not stored)"});
    }
    out += RenderTable({"", "role", "size", "oid"}, rows);
    // What each model artifact holds (its `model:` summary; trail model inspect ID ARTIFACT for all).
    for (const auto& a : r["artifacts"]) {
      if (!a.is_object() || !a.contains("model") || !a["model"].is_object()) continue;
      out += "\n  " + Text(a.value("path", Json())) + "\n" + RenderModelSummary(a["model"], "    ");
    }
  }
  if (r.contains("context") && r["context"].is_object() && !r["context"].empty()) {
    Section(out, "Custom context");
    Tree(out, r["context"], 0);
  }
  if (r.contains("tags") && !r["tags"].empty()) {
    Section(out, "Tags");
    Mapping(out, r["tags"]);
  }
  if (r.contains("notes") && !r["notes"].empty()) {
    Section(out, "Notes");
    for (const auto& n : r["notes"]) {
      out += "  " + LocalTime(api::GetString(n, "time")) + "  " + api::GetString(n, "user") + ": " +
             api::GetString(n, "text") + "\n";
    }
  }
  std::vector<std::string> warns;
  for (const Json* w :
       {r.contains("warnings") ? &r["warnings"] : nullptr,
        r.contains("metrics") && r["metrics"].contains("warnings") ? &r["metrics"]["warnings"] : nullptr}) {
    if (w && w->is_array())
      for (const auto& x : *w) warns.push_back(api::ScalarText(x));
  }
  if (!warns.empty()) {
    Section(out, "Warnings");
    for (const auto& w : warns) out += "  " + w + "\n";
  }
  if (r.contains("output")) out += "\nOutput: last 64 KiB kept; trail show " + api::GetString(r, "id") + " --output\n";
  return out;
}

}  // namespace

std::function<int()> SetupShow(CLI::App& sub) {
  auto id = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  auto output = std::make_shared<bool>(false);
  sub.add_option("run", *id, "run id (fraud-58), number (58) or uid")->required();
  sub.add_option("--format", *format, "text | yaml | json")->check(CLI::IsMember({"text", "yaml", "json"}));
  sub.add_flag("--output", *output, "print the run's captured output (last 64 KiB)");
  auto series = std::make_shared<std::string>();
  sub.add_option("--series", *series, "print one metric's whole series as TSV (step, time, value)");
  return [id, format, output, series] {
    auto project = OpenProject();
    if (!project) return 1;
    auto run = api::LoadRun(*project, *id);
    if (!run.ok()) return Fail(run.status());
    if (*output) {
      auto text = api::ReadRunOutput(*project, *run);
      if (!text.ok()) return Fail(text.status());
      std::fwrite(text->data(), 1, text->size(), stdout);
      return 0;
    }
    if (!series->empty()) {
      auto text = api::ReadSeries(*project, *run, *series);
      if (!text.ok()) return Fail(text.status());
      std::fwrite(text->data(), 1, text->size(), stdout);
      return 0;
    }
    if (*format == "json")
      std::printf("%s\n", api::DumpJson(run->record).c_str());
    else if (*format == "yaml")
      std::fputs(api::RecordYaml(run->record).c_str(), stdout);
    else
      std::fputs(Render(run->record).c_str(), stdout);
    return 0;
  };
}

}  // namespace trail::cli
