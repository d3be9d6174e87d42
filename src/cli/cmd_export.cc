// trail export: the runs as CSV or JSON Lines tables (docs/export.md), into a folder or one
// table to stdout.
#include <cstdio>

#include "commands.h"
#include "trail/export.h"
#include "trail/runs.h"

namespace trail::cli {
namespace {

struct ExportOptions {
  api::RunQuery query;
  std::string out;
  std::string format = "csv";
  std::string table;
};

}  // namespace

std::function<int()> SetupExport(CLI::App& sub) {
  auto o = std::make_shared<ExportOptions>();
  sub.add_option("-o,--output", o->out,
                 "folder for runs, params, metrics and tags tables (created if missing); - writes the --table "
                 "to stdout")
      ->required();
  sub.add_option("-w,--where", o->query.where,
                 "export only these runs, as trail ls: \"metrics.loss < 0.3 and params.opt = 'adam'\"");
  sub.add_option("-s,--sort", o->query.sort, "row order of runs: started, metrics.loss, ... (default: newest first)");
  sub.add_flag("--desc", o->query.descending, "sort descending");
  sub.add_flag("-a,--all", o->query.include_archived, "include archived runs");
  sub.add_option("--format", o->format, "csv (default) | jsonl: JSON Lines, one object per row")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  sub.add_option("--table", o->table, "runs | params | metrics | tags: only this table (required with -o -)")
      ->check(CLI::IsMember({"runs", "params", "metrics", "tags"}));
  return [o] {
    auto format = api::ParseExportFormat(o->format);
    if (!format.ok()) return Fail(format.status());
    std::vector<api::ExportTable> tables;
    if (!o->table.empty()) {
      auto t = api::ParseExportTable(o->table);
      if (!t.ok()) return Fail(t.status());
      tables.push_back(*t);
    } else if (o->out == "-") {
      PrintError("-o - writes one table: name it with --table runs|params|metrics|tags");
      return 2;
    }
    // A bad query is reported before the project's index is touched.
    if (Status q = api::CheckRunQuery(o->query); !q.ok()) return Fail(q);
    auto project = OpenProject();
    if (!project) return 1;
    auto unreadable = api::SyncIndex(*project);
    if (!unreadable.ok()) return Fail(unreadable.status());
    PrintWarnings(*unreadable);
    if (o->out == "-") {
      Status s = api::ExportRunsTable(*project, o->query, tables[0], *format, [](std::string_view d) {
        if (std::fwrite(d.data(), 1, d.size(), stdout) != d.size()) return IoError("cannot write to stdout");
        return Status::Ok();
      });
      if (s.ok() && std::fflush(stdout) != 0) s = IoError("cannot write to stdout");
      return s.ok() ? 0 : Fail(s);
    }
    auto counts = tables.empty() ? api::ExportToFolder(*project, o->query, *format, o->out)
                                 : api::ExportToFolder(*project, o->query, *format, o->out, tables);
    if (!counts.ok()) return Fail(counts.status());
    std::fprintf(stderr, "trail: exported %lld runs (%lld params, %lld metric points, %lld tags) to %s\n",
                 static_cast<long long>(counts->runs), static_cast<long long>(counts->params),
                 static_cast<long long>(counts->metric_points), static_cast<long long>(counts->tags), o->out.c_str());
    return 0;
  };
}

}  // namespace trail::cli
