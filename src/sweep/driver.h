// The sweep driver: proposes points, runs each trial as a `trail run`
// process, watches the trials' live metrics for early stopping and pruning,
// and keeps the sweep record up to date. See docs/sweeps.md.
//
// Trials run as separate `trail run --sweep-trial ...` processes, each in its
// own process group with stdin from /dev/null: every trial gets trail run's
// whole recording and crash safety, and N of them can run at once (one
// process supervises one child). A trial is stopped early by writing the
// reason to its live folder's `stop` file and sending SIGTERM to its group
// (SIGKILL 10 s later); it is then recorded as `pruned`.
//
// If the driver dies, running trials finish and record themselves; `trail
// sweep resume` counts them once they are on the branch. Trials that were
// killed or crashed are not counted and their slot is proposed again.
#pragma once

#include <string>

#include "base/yaml.h"
#include "project/project.h"
#include "sweep/spec.h"
#include "trail/status.h"

namespace trail::sweep {

class SweepObserver {
 public:
  virtual ~SweepObserver() = default;
  virtual void Started(const Json& sweep) = 0;
  virtual void TrialStarted(const std::string& trial_id, const Json& params) = 0;
  virtual void TrialFinished(const Json& trial) = 0;  // {id, status, value, params[, pruned]}
  virtual void Warning(const std::string& message) = 0;
};

struct DriverOptions {
  std::string trail_exe;  // the binary to run trials with (`trail` itself)
  bool quiet = false;     // trials' output to /dev/null instead of ours
};

// Starts a new sweep. Returns the final sweep record.
StatusOr<Json> RunSweep(Project& project, const Spec& spec, const DriverOptions& options, SweepObserver& observer);

// Continues a sweep from its record and its trials' records.
StatusOr<Json> ResumeSweep(Project& project, const std::string& id, const DriverOptions& options,
                           SweepObserver& observer);

}  // namespace trail::sweep
