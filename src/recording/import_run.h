// Runs recorded by another tool (`trail import mlflow`) written to the runs branch as finished
// runs: their times, params, tags, metric series and artifact files are given, not captured.
// The record's metrics block, the series files and the long series in the store are built by
// finalize.h's code, as for a run trail recorded; numbers come from run_numbers.h.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "metrics/metric_set.h"
#include "project/project.h"
#include "trail/status.h"

namespace trail {

// A file of an imported run, stored in the object store as one of its artifacts.
struct ImportedArtifact {
  std::string path;  // recorded as the artifact's path: safe and relative (no "..", ".git", ".trail")
  std::string file;  // absolute path of the file to store: a regular file, checked to be no link
};

struct ImportedRun {
  std::string key;         // the other tool's run id: unique within one import
  std::string parent_key;  // the key of the run it is nested in when that run is in this import
  // Every field of the record but `trail`, `id`, `number`, `uid`, `metrics` and `artifacts`
  // (which are made here): status, started, ended, duration_s, name, parent (an id already on
  // the branch), user, code, params, tags, notes.
  Json record = Json::object();
  metrics::MetricSet metrics;
  std::vector<ImportedArtifact> artifacts;
};

struct ImportedIds {
  std::map<std::string, std::string> ids;  // key -> the run's id on the branch
  std::string commit;                      // the runs branch commit that holds them
};

// Stores the runs' artifacts and long series, then, under the writer lock, gives the runs the
// next numbers (in their order, so a parent listed before its children has the lower number),
// resolves parent_key to the parent's id, and commits every record and series file in ONE
// commit on the runs branch: the import lands whole or not at all. An artifact that cannot be
// stored is an error (nothing is committed); what the store holds by then is garbage for gc.
StatusOr<ImportedIds> CommitImportedRuns(Project& project, std::vector<ImportedRun>& runs, const std::string& message,
                                         std::vector<std::string>* warnings);

}  // namespace trail
