// Importing runs other tools recorded: `trail import mlflow PATH` (docs/mlflow.md, "Import an
// MLflow file store").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

struct MlflowImportRequest {
  std::string path;                      // the MLflow file store (an mlruns/ folder)
  std::vector<std::string> experiments;  // names or ids to import; empty: all
  bool include_deleted = false;          // deleted runs and experiments (.trash/) too
  bool dry_run = false;                  // read and check everything, write nothing
};

struct ImportedRunInfo {
  std::string source_id;   // MLflow's run id
  std::string experiment;  // its experiment's name
  std::string name;
  std::string status;  // trail's status
  std::string id;      // the trail run's id; empty in a dry run
};

struct ImportReport {
  std::vector<ImportedRunInfo> imported;  // written (or, in a dry run, to be written), in order
  int64_t skipped_existing = 0;           // already imported: mlflow.run_id on the runs branch
  int64_t skipped_deleted_runs = 0;
  int64_t skipped_deleted_experiments = 0;
  int64_t experiments = 0;             // experiments read
  bool has_registered_models = false;  // the store has registered models (not imported)
  std::string commit;                  // the runs branch commit; empty when nothing was written
  std::vector<std::string> warnings;   // an artifact model that does not parse, ...
};

// Reads the whole store first (a malformed, unsafe or oversized file is an error naming it, and
// nothing is written), then writes every new run in one commit on the runs branch and brings the
// runs index up to date. Importing the same store again imports nothing.
StatusOr<ImportReport> ImportMlflow(Project& project, const MlflowImportRequest& request);

}  // namespace trail::api
