// `trail import mlflow PATH`: an MLflow file store (mlruns/) read (mlflow_store.h), each run
// mapped to a trail record (docs/mlflow.md, "Import an MLflow file store") and written with
// recording/import_run.h, all in one commit on the runs branch.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "importers/mlflow_store.h"
#include "project/project.h"
#include "trail/status.h"

namespace trail::importers {

struct MlflowImportOptions {
  std::string root;  // the mlruns/ folder
  MlflowReadOptions read;
  bool dry_run = false;  // read and check everything, write nothing
};

struct MlflowImportedRun {
  std::string run_id, experiment, name, status;  // status: trail's
  std::string id;                                // the trail id; empty in a dry run
};

struct MlflowImportResult {
  std::vector<MlflowImportedRun> imported;  // in the order written (parents before their runs)
  int64_t skipped_existing = 0;             // runs whose mlflow.run_id is already on the branch
  int64_t skipped_deleted_runs = 0;
  int64_t skipped_deleted_experiments = 0;
  int64_t experiments = 0;  // selected and read
  bool has_registered_models = false;
  std::string commit;  // the runs branch commit; empty when nothing was written
};

// Trail's status for MLflow's: FINISHED finished, FAILED failed, KILLED killed, RUNNING and
// SCHEDULED crashed (the run never ended as far as the store knows).
std::string TrailStatusFor(MlflowStatus status);

// Imports the store. `existing`: mlflow.run_id -> trail id of the runs already on the branch
// (they are skipped; a run nested in one gets it as its parent). Everything is read and checked
// before anything is written; then the runs land in one commit, or none do.
StatusOr<MlflowImportResult> ImportMlflowStore(Project& project, const MlflowImportOptions& options,
                                               const std::map<std::string, std::string>& existing,
                                               std::vector<std::string>* warnings);

}  // namespace trail::importers
