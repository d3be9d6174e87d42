#include "trail/importing.h"

#include <map>

#include "api/project_access.h"
#include "importers/mlflow_import.h"
#include "trail/runs.h"

namespace trail::api {
namespace {

constexpr const char* kMlflowRunIdTag = "mlflow.run_id";

// mlflow.run_id -> id of every run on the branch imported from MLflow, archived ones included.
StatusOr<std::map<std::string, std::string>> ImportedFromMlflow(Project& project) {
  std::map<std::string, std::string> out;
  RunQuery all;
  all.include_archived = true;
  TRAIL_RETURN_IF_ERROR(ForEachRun(project, all, [&](const RunRow& row) {
    auto t = row.tags.find(kMlflowRunIdTag);
    if (t != row.tags.end() && t->is_string()) out.emplace(t->get<std::string>(), row.id);
    return Status::Ok();
  }));
  return out;
}

}  // namespace

StatusOr<ImportReport> ImportMlflow(Project& project, const MlflowImportRequest& request) {
  TRAIL_ASSIGN_OR_RETURN(auto existing, ImportedFromMlflow(project));
  importers::MlflowImportOptions options;
  options.root = request.path;
  options.read.experiments = request.experiments;
  options.read.include_deleted = request.include_deleted;
  options.dry_run = request.dry_run;
  ImportReport report;
  TRAIL_ASSIGN_OR_RETURN(importers::MlflowImportResult r,
                         importers::ImportMlflowStore(ProjectAccess::Of(project), options, existing, &report.warnings));
  for (const auto& run : r.imported)
    report.imported.push_back({run.run_id, run.experiment, run.name, run.status, run.id});
  report.skipped_existing = r.skipped_existing;
  report.skipped_deleted_runs = r.skipped_deleted_runs;
  report.skipped_deleted_experiments = r.skipped_deleted_experiments;
  report.experiments = r.experiments;
  report.has_registered_models = r.has_registered_models;
  report.commit = r.commit;
  // So `trail ls` shows the runs at once; a failure here leaves the index to the next command.
  if (!report.commit.empty()) {
    auto synced = SyncIndex(project);
    if (synced.ok()) {
      for (const std::string& w : *synced) report.warnings.push_back(w);
    }
  }
  return report;
}

}  // namespace trail::api
