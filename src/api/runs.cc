#include "trail/runs.h"

#include "api/list_query.h"
#include "api/project_access.h"
#include "base/clock.h"
#include "query/query.h"
#include "record/params.h"
#include "record/record.h"
#include "recording/live_run.h"

namespace trail::api {
namespace {

RunRow ToRow(const index::RunRow& r) {
  RunRow row;
  row.id = r.id;
  row.number = r.number;
  row.name = r.name;
  row.status = r.status;
  row.user = r.user;
  row.started = r.started;
  row.parent = r.parent;
  row.duration_s = r.duration_s;
  row.exit_code = r.exit_code;
  row.archived = r.archived;
  row.params = r.params;
  row.metrics = r.metrics;
  row.tags = r.tags;
  row.derived = r.derived;
  row.context = r.context;
  row.model = r.model;
  return row;
}

trail::StoredRun ToInternal(const StoredRun& run) {
  trail::StoredRun out;
  out.record = run.record;
  out.dir = run.dir;
  out.path = run.dir + "/" + record::kRecordFile;
  out.tip = run.tip;
  return out;
}

std::vector<std::string> Problems(index::RunIndex& index) {
  auto problems = index.Problems();
  if (!problems.ok()) return {};
  std::vector<std::string> out;
  for (const auto& p : *problems) out.push_back("unreadable run record skipped: " + p);
  return out;
}

}  // namespace

StatusOr<std::vector<std::string>> SyncIndex(Project& project) {
  auto idx = ProjectAccess::Of(project).Index();
  if (!idx.ok()) return idx.status();
  return Problems(**idx);
}

std::vector<RunRow> LiveRuns(Project& project, int64_t limit) {
  std::vector<RunRow> live;
  for (const Json& rec : ListLiveRuns(ProjectAccess::Of(project))) {
    if (limit >= 0 && static_cast<int64_t>(live.size()) >= limit) break;
    RunRow row;
    row.id = record::GetString(rec, "id");
    row.number = rec.value("number", int64_t{0});
    row.name = record::GetString(rec, "name");
    row.status = rec.value("status", "") == record::kQueued ? record::kQueued : record::kRunning;
    row.started = record::GetString(rec, "started");
    row.params = rec.value("params", Json::object());
    row.tags = rec.value("tags", Json::object());
    live.push_back(std::move(row));
  }
  return live;
}

Status ForEachRun(Project& project, const RunQuery& query, const std::function<Status(const RunRow&)>& visit) {
  auto idx = ProjectAccess::Of(project).Index();
  if (!idx.ok()) return idx.status();
  index::ListQuery q = ToListQuery(query);
  return (*idx)->ForEach(q, [&](const index::RunRow& r) { return visit(ToRow(r)); });
}

Status CheckRunQuery(const RunQuery& query) {
  if (!query.where.empty()) TRAIL_RETURN_IF_ERROR(query::CompileWhere(query.where).status());
  if (!query.sort.empty()) TRAIL_RETURN_IF_ERROR(query::CompileOrderBy(query.sort, query.descending).status());
  return Status::Ok();
}

StatusOr<int64_t> CountRuns(Project& project, const std::string& where, bool include_archived) {
  auto idx = ProjectAccess::Of(project).Index();
  if (!idx.ok()) return idx.status();
  return (*idx)->CountMatching(where, include_archived);
}

StatusOr<RunKeys> ListRunKeys(Project& project) {
  auto idx = ProjectAccess::Of(project).Index();
  if (!idx.ok()) return idx.status();
  auto counts = (*idx)->ListKeys();
  if (!counts.ok()) return counts.status();
  auto convert = [](const std::vector<index::KeyCount>& in) {
    std::vector<RunKey> out;
    out.reserve(in.size());
    for (const auto& k : in) out.push_back({k.key, k.runs});
    return out;
  };
  RunKeys keys;
  keys.params = convert(counts->params);
  keys.metrics = convert(counts->metrics);
  keys.tags = convert(counts->tags);
  keys.derived = convert(counts->derived);
  keys.context = convert(counts->context);
  keys.model = convert(counts->model);
  return keys;
}

StatusOr<IndexReport> CheckIndex(Project& handle, bool rebuild, std::vector<std::string>* warnings,
                                 ProgressSink* progress) {
  trail::Project& project = ProjectAccess::Of(handle);
  auto idx = rebuild ? project.RebuildIndex(progress) : project.Index();
  if (!idx.ok()) return idx.status();
  if (!rebuild) {
    // Up to date by its own word; check its rows too (a file edited since).
    Status check = (*idx)->CheckAgainst(project.repo(), project.runs_ref());
    if (check.code() == Code::kCorrupt) {
      if (warnings) warnings->push_back(check.message() + "; rebuilding it from the runs branch");
      idx = project.RebuildIndex(progress);
      if (!idx.ok()) return idx.status();
    } else if (!check.ok()) {
      return check;
    }
  }
  IndexReport report;
  report.unreadable = Problems(**idx);
  report.runs = (*idx)->Count();
  return report;
}

StatusOr<StoredRun> LoadRun(Project& project, const std::string& ref) {
  auto run = ProjectAccess::Of(project).LoadRun(ref);
  if (!run.ok()) return run.status();
  StoredRun out;
  out.ref = ref;
  out.record = std::move(run->record);
  out.dir = std::move(run->dir);
  out.tip = std::move(run->tip);
  return out;
}

StatusOr<std::string> ReadRunOutput(Project& project, const StoredRun& run) {
  auto text = ProjectAccess::Of(project).repo().ReadFileAt(run.tip, run.dir + "/" + record::kOutputFile);
  if (!text.ok()) return NotFound(run.ref + " has no captured output");
  return text;
}

StatusOr<std::string> ReadSeries(Project& project, const StoredRun& run, const std::string& metric) {
  const Json& rec = run.record;
  if (!rec.contains("metrics") || !rec["metrics"].contains("series") || !rec["metrics"]["series"].contains(metric))
    return NotFound(run.ref + " has no series " + metric);
  return ProjectAccess::Of(project).ReadSeries(ToInternal(run), rec["metrics"]["series"][metric]);
}

StatusOr<std::string> CodeDiffStat(Project& project, const std::string& a, const std::string& b) {
  return ProjectAccess::Of(project).repo().DiffStat(a, b);
}

StatusOr<std::string> CodePatch(Project& project, const std::string& a, const std::string& b) {
  return ProjectAccess::Of(project).repo().DiffPatch(a, b);
}

StatusOr<TagEdit> ParseTagEdit(const std::vector<std::string>& set, const std::vector<std::string>& remove) {
  if (set.empty() && remove.empty()) return InvalidArgument("nothing to do: give KEY=VALUE or -d KEY");
  auto tags = record::ParseAssignments(set, "tag", false);
  if (!tags.ok()) return tags.status();
  TagEdit edit;
  edit.set = std::move(*tags);
  edit.remove = remove;
  for (const auto& s : set) edit.summary += " " + s;
  for (const auto& r : remove) edit.summary += " -" + r;
  return edit;
}

Status TagRun(Project& project, const std::string& ref, const TagEdit& edit) {
  return ProjectAccess::Of(project).UpdateRun(
      ref,
      [&](Json& rec) -> Status {
        Json t = rec.value("tags", Json::object());
        record::MergeInto(t, edit.set);
        for (const auto& k : edit.remove) {
          if (!t.contains(k)) return NotFound(ref + " has no tag " + k);
          t.erase(k);
        }
        if (t.empty())
          rec.erase("tags");
        else
          rec["tags"] = t;
        return Status::Ok();
      },
      "trail: tag " + ref + edit.summary);
}

Status AddNote(Project& handle, const std::string& ref, const std::string& text) {
  trail::Project& project = ProjectAccess::Of(handle);
  git::Identity who = project.user();
  return project.UpdateRun(
      ref,
      [&](Json& rec) -> Status {
        Json notes = rec.value("notes", Json::array());
        notes.push_back(Json{{"time", FormatIsoTime(NowUnixSeconds())}, {"user", who.name}, {"text", text}});
        rec["notes"] = notes;
        return Status::Ok();
      },
      "trail: note on " + ref);
}

Status ArchiveRun(Project& project, const std::string& ref, bool archived) {
  return ProjectAccess::Of(project).UpdateRun(
      ref,
      [&](Json& rec) -> Status {
        if (archived)
          rec["archived"] = true;
        else
          rec.erase("archived");
        return Status::Ok();
      },
      std::string("trail: ") + (archived ? "archive " : "restore ") + ref);
}

}  // namespace trail::api
