#include "trail/reproduce.h"

#include <memory>

#include "api/project_access.h"
#include "api/run_observer_adapter.h"
#include "base/paths.h"
#include "project/project.h"
#include "reproduce/array_comparison.h"
#include "reproduce/environment_diff.h"
#include "reproduce/reproduction.h"
#include "reproduce/run_comparison.h"

namespace trail::api {

StatusOr<PreparedReproduction> PrepareReproduction(Project& handle, const ReproduceOptions& options) {
  trail::Project& project = ProjectAccess::Of(handle);
  auto run = project.LoadRun(options.run);
  if (!run.ok()) return run.status();
  reproduce::PrepareOptions prepare;
  prepare.dir = options.dir;
  prepare.allow_missing_data = options.allow_missing_data;
  auto done = reproduce::PrepareReproduction(project, run->record, prepare);
  if (!done.ok()) return done.status();
  PreparedReproduction out;
  out.id = done->plan.id;
  out.worktree = done->worktree;
  out.cwd = done->plan.cwd == "." ? done->worktree : JoinPath(done->worktree, done->plan.cwd);
  out.command = done->plan.argv;
  out.env = done->plan.env;
  out.command_line = reproduce::ReproductionCommandLine(done->plan, done->worktree);
  for (const DataInputRestore& d : done->data) out.data.push_back({d.role, d.path, d.oid, DataInputStateName(d.state)});
  for (const auto& e : done->environment) out.environment.push_back({e.item, e.recorded, e.now});
  out.warnings = done->warnings;
  out.fetched = done->fetched;
  return out;
}

StatusOr<RunOutcome> RunReproduction(const PreparedReproduction& prepared, RunObserver& observer) {
  // The worktree's own project: its live folder, same runs branch and store (the common dir's).
  auto there = trail::Project::Open(prepared.worktree);
  if (!there.ok()) return there.status();
  auto run = (*there)->LoadRun(prepared.id);
  if (!run.ok()) return run.status();
  auto plan = reproduce::PlanReproduction(run->record);
  if (!plan.ok()) return plan.status();
  RunObserverAdapter forward(observer);
  auto out = trail::RecordRun(**there, reproduce::ReproductionRequest(*plan, prepared.worktree), forward);
  if (!out.ok()) return out.status();
  return RunOutcome{out->exit_code, out->id};
}

StatusOr<RunComparison> CompareRuns(Project& handle, const std::string& recorded, const std::string& reproduced,
                                    const Tolerance& tolerance) {
  trail::Project& project = ProjectAccess::Of(handle);
  auto a = project.LoadRun(recorded);
  if (!a.ok()) return a.status();
  auto b = project.LoadRun(reproduced);
  if (!b.ok()) return b.status();
  auto items = reproduce::CompareRuns(a->record, b->record, {tolerance.relative, tolerance.absolute},
                                      reproduce::StoreArtifactComparer(project));
  RunComparison out;
  out.recorded = a->record.value("id", recorded);
  out.reproduced = b->record.value("id", reproduced);
  out.same = reproduce::AllSame(items);
  for (const auto& i : items)
    out.items.push_back({i.kind, i.name, reproduce::VerdictName(i.verdict), i.recorded, i.reproduced, i.note});
  return out;
}

Json ComparisonJson(const RunComparison& comparison) {
  Json items = Json::array();
  for (const ComparedItem& i : comparison.items) {
    Json item = {{"kind", i.kind},
                 {"name", i.name},
                 {"verdict", i.verdict},
                 {"recorded", i.recorded},
                 {"reproduced", i.reproduced}};
    if (!i.note.empty()) item["note"] = i.note;
    items.push_back(std::move(item));
  }
  return Json{{"recorded", comparison.recorded},
              {"reproduced", comparison.reproduced},
              {"verdict", comparison.same ? "same" : "different"},
              {"items", std::move(items)}};
}

StatusOr<std::string> RequirementsOf(Project& handle, const std::string& ref) {
  auto run = ProjectAccess::Of(handle).LoadRun(ref);
  if (!run.ok()) return run.status();
  return reproduce::RequirementsText(run->record);
}

}  // namespace trail::api
