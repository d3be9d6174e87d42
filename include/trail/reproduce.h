// Recreating a recorded run (docs/reproduce.md): `trail reproduce ID` brings its code back in a
// separate worktree, restores its data inputs, compares the environment, records the run again
// (`reproduces: ID`) and compares the two; `trail env ID` reads the recorded environment back.
#pragma once

#include <string>
#include <vector>

#include "trail/json.h"
#include "trail/project.h"
#include "trail/recording.h"
#include "trail/status.h"

namespace trail::api {

struct ReproduceOptions {
  std::string run;                  // id, number or uid
  std::string dir;                  // the worktree; empty: <git common dir>/trail/reproduce/<id> (replaced)
  bool allow_missing_data = false;  // go on without data inputs that have no stored copy, or URLs
};

struct DataInputState {
  std::string role, path, oid;
  std::string state;  // "restored", "present", "missing", "url", "conflict"
};

struct EnvironmentDifference {
  std::string item;      // "python.version", "package numpy", "gpu_count", ...
  std::string recorded;  // "none" when the record lacks it
  std::string now;       // "not installed" for a package that is not
};

// Steps 1 to 3 done: the worktree holds the code and data; the environment is compared.
struct PreparedReproduction {
  std::string id;        // the run reproduced
  std::string worktree;  // absolute
  std::string cwd;       // absolute: where the command runs
  std::vector<std::string> command;
  std::vector<std::string> env;  // NAME=VALUE set for the command
  std::string command_line;      // the shell line that records it by hand (`--no-run`)
  std::vector<DataInputState> data;
  std::vector<EnvironmentDifference> environment;  // empty: the same as recorded
  std::vector<std::string> warnings;
  bool fetched = false;  // packs came from the store remote
};

// NotFound for an unknown run; InvalidArgument for a command with a masked secret; Corrupt for
// an unsafe record (a path with `..`, `.git`, an absolute path); FailedPrecondition for a run
// without a code snapshot, a --dir that is not empty, or data inputs without a stored copy
// (named with their hash; not with allow_missing_data). Never touches the user's branch,
// index or working tree.
StatusOr<PreparedReproduction> PrepareReproduction(Project& project, const ReproduceOptions& options);

// Step 4: records the command in the prepared worktree as a new run with `reproduces: ID`,
// the recorded params, variables, data inputs and artifact paths. As RecordRun.
StatusOr<RunOutcome> RunReproduction(const PreparedReproduction& prepared, RunObserver& observer);

struct Tolerance {
  double relative = 0;  // |a-b| <= relative * max(|a|,|b|)
  double absolute = 0;  // |a-b| <= absolute
};

struct ComparedItem {
  std::string kind;     // "status", "metric", "derived", "artifact", "data"
  std::string name;     // "val_loss.last", "models/m.npz", "train"
  std::string verdict;  // "identical", "within tolerance", "different"
  std::string recorded, reproduced;
  std::string note;
};

struct RunComparison {
  std::string recorded, reproduced;  // run ids
  std::vector<ComparedItem> items;
  bool same = true;  // every item identical or within tolerance
};

// Step 5: compares two stored runs (the recorded one first). NotFound for an unknown run.
StatusOr<RunComparison> CompareRuns(Project& project, const std::string& recorded, const std::string& reproduced,
                                    const Tolerance& tolerance);
// The comparison as JSON: {recorded, reproduced, verdict, items: [{kind, name, verdict, ...}]}.
Json ComparisonJson(const RunComparison& comparison);

// `trail env ID --format requirements`: a pinned, sorted `name==version` list of the packages
// and frameworks the run imported, under a comment header naming the run, Python and the OS.
StatusOr<std::string> RequirementsOf(Project& project, const std::string& ref);

}  // namespace trail::api
