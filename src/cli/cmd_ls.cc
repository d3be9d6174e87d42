// trail ls: list runs, newest first, with the params and metrics that vary.
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "commands.h"
#include "table.h"
#include "terminal.h"
#include "trail/format.h"
#include "trail/runs.h"

namespace trail::cli {
namespace {

struct LsOptions {
  api::RunQuery query;
  std::string columns;
  std::string format = "table";
};

// Tracks which params/metrics differ between the listed runs (or are missing
// in some) in O(keys) memory, one row at a time; with a single run every key
// counts, so `trail ls --limit 1` still shows something.
class VaryingKeys {
 public:
  void Add(const api::RunRow& r) {
    ++rows_;
    Observe(params_, r.params, false);
    Observe(metrics_, r.metrics, true);
  }
  std::vector<std::string> Params() const { return Varying(params_); }
  std::vector<std::string> Metrics() const { return Varying(metrics_); }

 private:
  struct KeyStats {
    std::string first;
    bool differs = false;
    size_t present = 0;
  };
  struct Keys {
    std::vector<std::string> order;
    std::map<std::string, KeyStats> stats;
  };
  static void Observe(Keys& keys, const Json& obj, bool metrics) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      std::string v = metrics ? api::DumpJson(it.value().value("last", Json()), -1) : api::DumpJson(it.value(), -1);
      auto [pos, added] = keys.stats.try_emplace(it.key());
      if (added) {
        keys.order.push_back(it.key());
        pos->second.first = v;
      } else if (pos->second.first != v) {
        pos->second.differs = true;
      }
      pos->second.present++;
    }
  }
  std::vector<std::string> Varying(const Keys& keys) const {
    std::vector<std::string> out;
    for (const auto& k : keys.order) {
      const KeyStats& s = keys.stats.at(k);
      if (rows_ <= 1 || s.differs || s.present < rows_) out.push_back(k);
    }
    return out;
  }
  size_t rows_ = 0;
  Keys params_, metrics_;
};

Json RowJson(const api::RunRow& r) {
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
  if (!r.model.empty()) j["model"] = r.model;  // the primary model's summary, where the run has one
  return j;
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
Json ColumnValue(const api::RunRow& r, const std::string& col) {
  auto after = [&](const char* prefix) { return col.substr(std::strlen(prefix)); };
  if (col.rfind("params.", 0) == 0) return r.params.value(after("params."), Json());
  if (col.rfind("metrics.", 0) == 0) {
    auto it = r.metrics.find(after("metrics."));
    return it == r.metrics.end() ? Json() : it->value("last", Json());
  }
  if (col.rfind("tags.", 0) == 0) return r.tags.value(after("tags."), Json());
  if (col.rfind("derived.", 0) == 0) return r.derived.value(after("derived."), Json());
  if (col.rfind("context.", 0) == 0) return r.context.value(after("context."), Json());
  if (col.rfind("model.", 0) == 0) return r.model.value(after("model."), Json());
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

// `trail ls --format csv`'s first columns, always these whatever the runs (docs/query.md).
constexpr std::array<const char*, 7> kCsvColumns = {"id", "number", "name", "status", "started", "duration_s", "user"};

bool KnownColumn(const std::string& col) {
  static const std::set<std::string> kAttrs = {"id",      "number", "name",     "status",     "user",
                                               "started", "parent", "duration", "duration_s", "exit_code"};
  return kAttrs.count(col) || col.rfind("params.", 0) == 0 || col.rfind("metrics.", 0) == 0 ||
         col.rfind("tags.", 0) == 0 || col.rfind("derived.", 0) == 0 || col.rfind("context.", 0) == 0 ||
         col.rfind("model.", 0) == 0;
}

}  // namespace

std::function<int()> SetupLs(CLI::App& sub) {
  auto o = std::make_shared<LsOptions>();
  sub.add_option("-w,--where", o->query.where,
                 "filter, MLflow syntax plus or/not/(): \"metrics.loss < 0.3 and params.opt = 'adam'\"");
  sub.add_option("-s,--sort", o->query.sort, "sort key: started, metrics.loss, params.lr, ... (default: newest first)");
  sub.add_flag("--desc", o->query.descending, "sort descending");
  sub.add_option("-c,--columns", o->columns,
                 "comma-separated columns: "
                 "id,status,params.lr,metrics.loss,tags.x,derived.val_loss_min,context.python,model.parameters,...");
  sub.add_option("-n,--limit", o->query.limit, "show at most N runs");
  sub.add_option("--offset", o->query.offset,
                 "skip the first N runs of the ordered listing (a page; runs in progress show on the first only)")
      ->check(CLI::NonNegativeNumber);
  sub.add_flag("-a,--all", o->query.include_archived, "include archived runs");
  sub.add_option("--format", o->format,
                 "table | csv | json; csv's columns are fixed (id, number, name, status, started, duration_s, user, "
                 "then params.*, metrics.*, tags.* sorted) and json has every field, unless --columns")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  return [o] {
    auto project = OpenProject();
    if (!project) return 1;
    auto unreadable = api::SyncIndex(*project);
    if (!unreadable.ok()) return Fail(unreadable.status());
    PrintWarnings(*unreadable);
    // Runs in progress are not on the branch yet; show them on top of an
    // unfiltered, default-ordered listing so nothing seems to be missing.
    std::vector<api::RunRow> live;
    api::RunQuery q = o->query;
    if (q.where.empty() && q.sort.empty() && q.offset == 0) {
      live = api::LiveRuns(*project, q.limit);
      if (q.limit >= 0) q.limit -= static_cast<int64_t>(live.size());
    }
    // Every row goes through `visit`: first the live ones, then the index's, streamed.
    // A resumed run is live and on the branch at once: its live row stands for it.
    std::set<std::string> live_ids;
    for (const auto& r : live) live_ids.insert(r.id);
    // The table and the CSV go over the rows twice (their keys, then their cells). A page is read
    // once and kept; a whole listing is streamed twice rather than held.
    constexpr int64_t kKeptRows = 1000;
    std::optional<std::vector<api::RunRow>> kept;
    auto for_each = [&](const std::function<Status(const api::RunRow&)>& visit) -> Status {
      for (const auto& r : live) TRAIL_RETURN_IF_ERROR(visit(r));
      if (q.limit == 0) return Status::Ok();
      auto not_live = [&](const api::RunRow& r, const std::function<Status(const api::RunRow&)>& then) {
        return live_ids.count(r.id) ? Status::Ok() : then(r);
      };
      if (q.limit < 0 || q.limit > kKeptRows)
        return api::ForEachRun(*project, q, [&](const api::RunRow& r) { return not_live(r, visit); });
      if (!kept) {
        std::vector<api::RunRow> rows;
        TRAIL_RETURN_IF_ERROR(api::ForEachRun(*project, q, [&](const api::RunRow& r) {
          rows.push_back(r);
          return Status::Ok();
        }));
        kept = std::move(rows);
      }
      for (const auto& r : *kept) TRAIL_RETURN_IF_ERROR(not_live(r, visit));
      return Status::Ok();
    };

    std::vector<std::string> cols;
    if (!o->columns.empty()) {
      cols = Split(o->columns);
      for (const auto& c : cols) {
        if (!KnownColumn(c)) {
          PrintError("unknown column '" + c +
                     "' (use id, name, status, user, started, duration, exit_code, "
                     "parent, params.KEY, metrics.KEY, tags.KEY, derived.KEY, context.KEY, model.KEY)");
          return 1;
        }
      }
    }

    if (o->format == "json") {
      // Without --columns, each run's whole row; with them, exactly those keys in that order.
      std::string sep = "[\n";
      Status s = for_each([&](const api::RunRow& r) {
        Json row = Json::object();
        if (cols.empty()) {
          row = RowJson(r);
        } else {
          for (const auto& c : cols) row[c] = ColumnValue(r, c);
        }
        std::string item = api::DumpJson(row);
        std::fputs(sep.c_str(), stdout);
        std::fputs(item.c_str(), stdout);
        sep = ",\n";
        return Status::Ok();
      });
      if (!s.ok()) return Fail(s);
      std::puts(sep == "[\n" ? "[]" : "\n]");
      return 0;
    }

    bool csv = o->format == "csv";
    Row header;
    if (!cols.empty()) {
      header = cols;
    } else if (csv) {
      // Stable for scripts (docs/query.md): the fixed attributes, then every param, metric and tag
      // key of the listed runs, each group sorted, under their full names.
      std::set<std::string> params, metrics, tags;
      Status s = for_each([&](const api::RunRow& r) {
        for (auto it = r.params.begin(); it != r.params.end(); ++it) params.insert(it.key());
        for (auto it = r.metrics.begin(); it != r.metrics.end(); ++it) metrics.insert(it.key());
        for (auto it = r.tags.begin(); it != r.tags.end(); ++it) tags.insert(it.key());
        return Status::Ok();
      });
      if (!s.ok()) return Fail(s);
      cols = {kCsvColumns.begin(), kCsvColumns.end()};
      for (const auto& k : params) cols.push_back("params." + k);
      for (const auto& k : metrics) cols.push_back("metrics." + k);
      for (const auto& k : tags) cols.push_back("tags." + k);
      header = cols;
    } else {
      VaryingKeys varying;
      Status s = for_each([&](const api::RunRow& r) {
        varying.Add(r);
        return Status::Ok();
      });
      if (!s.ok()) return Fail(s);
      cols = {"id", "status", "started", "duration"};
      header = cols;
      auto params = varying.Params();
      std::set<std::string> param_set(params.begin(), params.end());
      for (const auto& k : params) {
        cols.push_back("params." + k);
        header.push_back(k);
      }
      for (const auto& k : varying.Metrics()) {
        cols.push_back("metrics." + k);
        header.push_back(param_set.count(k) ? "metrics." + k : k);
      }
    }
    std::vector<Row> table;
    if (csv) std::fputs(CsvLine(header).c_str(), stdout);
    Status s = for_each([&](const api::RunRow& r) {
      Row line;
      line.reserve(cols.size());
      for (const auto& c : cols) {
        Json v = ColumnValue(r, c);
        if (csv)
          line.push_back(v.is_null() ? "" : api::ScalarText(v));
        else if (c == "started")
          line.push_back(LocalTime(r.started));
        else if ((c == "duration" || c == "duration_s") && r.duration_s)
          line.push_back(api::FormatDuration(*r.duration_s));
        else if (c == "status")
          line.push_back(PaintStatus(STDOUT_FILENO, r.status));
        else if (c == "id" && r.archived)
          line.push_back(r.id + " (archived)");
        else
          line.push_back(v.is_null() ? "" : Cell(v));
      }
      if (csv) {
        std::fputs(CsvLine(line).c_str(), stdout);
      } else {
        table.push_back(std::move(line));
      }
      return Status::Ok();
    });
    if (!s.ok()) return Fail(s);
    if (csv) return 0;
    if (table.empty()) {
      std::fprintf(stderr, "trail: no runs%s\n",
                   o->query.where.empty() ? " yet (record one with trail run -- CMD)" : " match");
    } else {
      std::fputs(RenderTable(header, table).c_str(), stdout);
    }
    return 0;
  };
}

}  // namespace trail::cli
