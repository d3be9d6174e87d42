// Sweeps (docs/sweeps.md): hyperparameter search whose every trial is a recorded run, run as a
// `trail run` process of the binary named in SweepOptions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trail/json.h"
#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

// What the front end hears while a sweep runs; calls come from the driver's thread.
class SweepObserver {
 public:
  virtual ~SweepObserver() = default;
  virtual void Started(const Json& sweep) = 0;  // the sweep record: id, strategy, budget, ...
  virtual void TrialStarted(const std::string& trial_id, const Json& params) = 0;
  virtual void TrialFinished(const Json& trial) = 0;  // {id, status, value, params[, pruned]}
  virtual void Warning(const std::string& message) = 0;
};

struct SweepOptions {
  std::string trail_exe;  // the `trail` binary that runs the trials
  bool quiet = false;     // trials' output to /dev/null instead of ours
};

// A spec that parsed and validated, in brief.
struct SweepPlan {
  std::string strategy;  // grid, random, bayes
  int64_t trials = 0;
  int64_t parallel = 1;
  std::vector<std::string> dims;  // the names of the space's parameters
};

// Reads and checks the spec file; runs nothing. NotFound for an unreadable file; a YAML or spec
// error is one line naming the file and the key.
StatusOr<SweepPlan> CheckSweepSpec(const std::string& spec_path);
// Runs a new sweep from a spec file (checked as CheckSweepSpec); returns the final sweep record.
StatusOr<Json> RunSweep(Project& project, const std::string& spec_path, const SweepOptions& options,
                        SweepObserver& observer);
// Continues an interrupted sweep without re-running finished trials.
StatusOr<Json> ResumeSweep(Project& project, const std::string& id, const SweepOptions& options,
                           SweepObserver& observer);
StatusOr<Json> LoadSweep(Project& project, const std::string& id);
StatusOr<std::vector<Json>> ListSweeps(Project& project);

}  // namespace trail::api
