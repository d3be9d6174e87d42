// `trail reproduce ID`: what to run again, read from an untrusted record; the run's code in a
// worktree with its data restored and the environment compared; the run recorded again there.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/yaml.h"
#include "project/project.h"
#include "recording/recorder.h"
#include "reproduce/environment_diff.h"
#include "tracked/run_restore.h"
#include "trail/status.h"

namespace trail::reproduce {

// What the reproduction runs, every path checked (the record may come from another clone).
struct ReproductionPlan {
  std::string id;                                         // the run reproduced
  std::vector<std::string> argv;                          // its command
  std::string cwd = ".";                                  // relative to the root, no `..`, `.git` or `.trail`
  Json params = Json::object();                           // the recorded params, typed, without masked ("***") values
  std::vector<std::string> env;                           // NAME=VALUE: environment.variables, then the seed's
  std::vector<std::pair<std::string, std::string>> data;  // role, source (relative path or URL)
  std::vector<std::string> artifacts;                     // recorded paths, relative to the root
};

// InvalidArgument naming the option for a command with a masked secret (its value was never
// stored); Corrupt for a malformed or unsafe command, cwd, data source, artifact path or
// variable. Reads nothing but `record`.
StatusOr<ReproductionPlan> PlanReproduction(const Json& record);

struct PrepareOptions {
  std::string dir;  // the worktree; empty: code_worktree.h's default
  bool allow_missing_data = false;
};

struct PreparedReproduction {
  ReproductionPlan plan;
  std::string worktree;                            // absolute
  std::vector<DataInputRestore> data;              // each input's fate
  std::vector<EnvironmentDifference> environment;  // empty: the same as recorded
  std::vector<std::string> warnings;               // a fetch or checkout that failed, a capture warning
  bool fetched = false;                            // packs were fetched from a store remote
};

// Steps 1 to 3: plans (nothing is written for a refused record), adds the worktree, restores the
// data inputs (fetching packs from the store remote first when some are missing locally and one
// is configured; the pointer files the snapshot holds are checked out too), then compares the
// recorded environment with what a run of the command would record now in the worktree.
// FailedPrecondition naming each missing input with its recorded hash (and each URL input as not
// verifiable) unless `allow_missing_data`: the worktree is then left for inspection.
StatusOr<PreparedReproduction> PrepareReproduction(Project& project, const Json& record, const PrepareOptions& options);

// Step 4: the run's request, to record in the worktree's project: the command at the recorded
// cwd, `reproduces`, the params, the variables, the data inputs (those present in the worktree)
// and the artifact paths again.
RunRequest ReproductionRequest(const ReproductionPlan& plan, const std::string& worktree);

// The shell command line that records the reproduction by hand (for `--no-run`): `cd WORKTREE/CWD
// && env NAME=VALUE... trail run ... -- COMMAND`, each word quoted for a POSIX shell.
std::string ReproductionCommandLine(const ReproductionPlan& plan, const std::string& worktree);

}  // namespace trail::reproduce
