// trail ls: list runs, newest first, with the params and metrics that vary.
#include <cstdio>
#include <set>

#include "cli/commands.h"
#include "cli/table.h"
#include "core/live_run.h"
#include "record/record.h"
#include "util/clock.h"

namespace trail::cli {
namespace {

struct LsOptions {
  index::ListQuery query;
  std::string columns;
  std::string format = "table";
};

// Keys of `field` ("params"/"metrics") whose value differs between rows or is
// missing in some; all keys when there is a single row.
std::vector<std::string> VaryingKeys(const std::vector<index::RunRow>& rows, bool metrics) {
  std::vector<std::string> order;
  std::map<std::string, std::set<std::string>> values;
  std::map<std::string, size_t> present;
  for (const auto& r : rows) {
    const Json& obj = metrics ? r.metrics : r.params;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (!values.count(it.key())) order.push_back(it.key());
      values[it.key()].insert(metrics ? it.value().value("last", Json()).dump() : it.value().dump());
      present[it.key()]++;
    }
  }
  std::vector<std::string> out;
  for (const auto& k : order) {
    if (rows.size() <= 1 || values[k].size() > 1 || present[k] < rows.size()) out.push_back(k);
  }
  return out;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Value of a column spec for a row, typed (for JSON) .
Json ColumnValue(const index::RunRow& r, const std::string& col) {
  auto after = [&](const char* prefix) { return col.substr(std::strlen(prefix)); };
  if (col.rfind("params.", 0) == 0) return r.params.value(after("params."), Json());
  if (col.rfind("metrics.", 0) == 0) {
    auto it = r.metrics.find(after("metrics."));
    return it == r.metrics.end() ? Json() : it->value("last", Json());
  }
  if (col.rfind("tags.", 0) == 0) return r.tags.value(after("tags."), Json());
  if (col == "id") return r.id;
  if (col == "number") return r.number;
  if (col == "name") return r.name;
  if (col == "status") return r.status;
  if (col == "user") return r.user;
  if (col == "started") return r.started;
  if (col == "parent") return r.parent;
  if (col == "duration" || col == "duration_s") return r.duration_s ? Json(*r.duration_s) : Json();
  if (col == "exit_code") return r.exit_code ? Json(*r.exit_code) : Json();
  return Json();
}

bool KnownColumn(const std::string& col) {
  static const std::set<std::string> kAttrs = {"id",     "number",     "name",      "status", "user",
                                               "started", "parent",    "duration",  "duration_s", "exit_code"};
  return kAttrs.count(col) || col.rfind("params.", 0) == 0 || col.rfind("metrics.", 0) == 0 ||
         col.rfind("tags.", 0) == 0;
}

}  // namespace

std::function<int()> SetupLs(CLI::App& sub) {
  auto o = std::make_shared<LsOptions>();
  sub.add_option("-w,--where", o->query.where,
                 "filter, MLflow syntax plus or/not/(): \"metrics.loss < 0.3 and params.opt = 'adam'\"");
  sub.add_option("-s,--sort", o->query.sort, "sort key: started, metrics.loss, params.lr, ... (default: newest first)");
  sub.add_flag("--desc", o->query.descending, "sort descending");
  sub.add_option("-c,--columns", o->columns, "comma-separated columns: id,status,params.lr,metrics.loss,tags.x,...");
  sub.add_option("-n,--limit", o->query.limit, "show at most N runs");
  sub.add_flag("-a,--all", o->query.include_archived, "include archived runs");
  sub.add_option("--format", o->format, "table | csv | json")->check(CLI::IsMember({"table", "csv", "json"}));
  return [o] {
    auto project = OpenProject();
    if (!project) return 1;
    auto idx = project->Index();
    if (!idx.ok()) return Fail(idx.status());
    ReportIndexProblems(**idx);
    auto rows = (*idx)->List(o->query);
    if (!rows.ok()) return Fail(rows.status());
    // Runs in progress are not on the branch yet; show them on top of an
    // unfiltered, default-ordered listing so nothing seems to be missing.
    if (o->query.where.empty() && o->query.sort.empty()) {
      std::vector<index::RunRow> live;
      for (const Json& rec : ListLiveRuns(*project)) {
        index::RunRow row;
        row.id = record::GetString(rec, "id");
        row.number = rec.value("number", int64_t{0});
        row.name = record::GetString(rec, "name");
        row.status = record::kRunning;
        row.started = record::GetString(rec, "started");
        row.params = rec.value("params", Json::object());
        row.tags = rec.value("tags", Json::object());
        live.push_back(std::move(row));
      }
      rows->insert(rows->begin(), live.begin(), live.end());
      if (o->query.limit >= 0 && static_cast<int64_t>(rows->size()) > o->query.limit) rows->resize(o->query.limit);
    }

    if (o->format == "json") {
      Json out = Json::array();
      for (const auto& r : *rows) {
        Json j = Json::object();
        j["id"] = r.id;
        j["number"] = r.number;
        if (!r.name.empty()) j["name"] = r.name;
        j["status"] = r.status;
        j["user"] = r.user;
        j["started"] = r.started;
        j["duration_s"] = r.duration_s ? Json(*r.duration_s) : Json();
        j["exit_code"] = r.exit_code ? Json(*r.exit_code) : Json();
        if (!r.parent.empty()) j["parent"] = r.parent;
        if (r.archived) j["archived"] = true;
        j["params"] = r.params;
        j["metrics"] = r.metrics;
        j["tags"] = r.tags;
        out.push_back(j);
      }
      std::printf("%s\n", DumpJson(out).c_str());
      return 0;
    }

    std::vector<std::string> cols;
    Row header;
    if (!o->columns.empty()) {
      cols = Split(o->columns);
      for (const auto& c : cols) {
        if (!KnownColumn(c)) {
          PrintError("unknown column '" + c + "' (use id, name, status, user, started, duration, exit_code, "
                     "parent, params.KEY, metrics.KEY, tags.KEY)");
          return 1;
        }
      }
      header = cols;
    } else {
      cols = {"id", "status", "started", "duration"};
      header = cols;
      auto params = VaryingKeys(*rows, false);
      auto metrics = VaryingKeys(*rows, true);
      std::set<std::string> param_set(params.begin(), params.end());
      for (const auto& k : params) {
        cols.push_back("params." + k);
        header.push_back(k);
      }
      for (const auto& k : metrics) {
        cols.push_back("metrics." + k);
        header.push_back(param_set.count(k) ? "metrics." + k : k);
      }
    }
    std::vector<Row> table;
    table.reserve(rows->size());
    for (const auto& r : *rows) {
      Row line;
      for (const auto& c : cols) {
        Json v = ColumnValue(r, c);
        if (o->format == "table") {
          if (c == "started") line.push_back(LocalTime(r.started));
          else if ((c == "duration" || c == "duration_s") && r.duration_s) line.push_back(FormatDuration(*r.duration_s));
          else if (c == "id" && r.archived) line.push_back(r.id + " (archived)");
          else line.push_back(v.is_null() ? "" : Cell(v));
        } else {
          line.push_back(v.is_null() ? "" : record::ScalarText(v));
        }
      }
      table.push_back(std::move(line));
    }
    if (o->format == "csv") {
      std::fputs(RenderCsv(header, table).c_str(), stdout);
    } else if (table.empty()) {
      std::fprintf(stderr, "trail: no runs%s\n", o->query.where.empty() ? " yet (record one with trail run -- CMD)" : " match");
    } else {
      std::fputs(RenderTable(header, table).c_str(), stdout);
    }
    return 0;
  };
}

}  // namespace trail::cli
