// Recording a command as a run (`trail run`), and the dry run of what it would capture.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "trail/json.h"
#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

// How a data input's snapshot is taken (`--snapshot-fraction`, `--snapshot-seed`, `--stratify`).
struct DataOptions {
  double fraction = 0.01;
  uint64_t seed = 0;
  std::string stratify;  // a column (CSV/TSV) or key (JSON Lines); empty: none
};

struct RunRequest {
  std::vector<std::string> argv;    // the command
  std::string name;                 // optional human name
  std::vector<std::string> params;  // KEY=VALUE, typed (int, float, bool, string)
  std::vector<std::string> tags;    // KEY=VALUE
  bool params_from_args = true;     // read params from the command's --key value options
  bool parse_output = true;         // read Keras / tqdm metrics from the command's output
  // System metrics (CPU, memory, IO, network, GPUs) sampled into system/... series
  // (docs/metrics.md): `--no-system-metrics`; `--system-metrics-interval S`, 0.1 to 3600 seconds
  // (unset: the config's metrics.system, default 5).
  bool system_metrics = true;
  std::optional<double> system_metrics_interval;
  std::vector<std::string> data;  // ROLE=PATH_OR_URL, one per data input
  DataOptions data_options;
  std::vector<std::string> artifacts;  // files or folders the run writes (relative to the cwd)
  // `trail sweep` runs its trials with this: a JSON object {parent, hyperparameters, params,
  // id_file}. Not for people.
  std::string sweep_trial;
  // `--seed N`: the child gets PYTHONHASHSEED=N and TRAIL_SEED=N, the record `seed: N`. N is
  // 0..4294967295 (PYTHONHASHSEED's range); anything else is InvalidArgument.
  std::optional<int64_t> seed;
  // `trail reproduce`: the id of the run this one reproduces (recorded as `reproduces: ID`);
  // NAME=VALUE set in the child's environment over the inherited one; the absolute folder the
  // command runs in (empty: the process's current directory).
  std::string reproduces;
  std::vector<std::string> env;
  std::string cwd;
  // `trail run --resume ID`: continue run ID (id, number or uid; crashed, killed, failed or
  // pruned) instead of starting a new one: same id and uid, metrics appended, one more entry in
  // its `attempts` (docs/run.md, "Resuming a run"). `force`: reopen a finished run too.
  std::string resume;
  bool force = false;
  // `trail run --group KEY`: this process is one rank of a multi-process job whose ranks all
  // record one run (docs/distributed.md); the rank and world size come from RANK/WORLD_SIZE or
  // Slurm's SLURM_PROCID/SLURM_STEP_NUM_TASKS. Empty: TRAIL_RUN_GROUP, else the launcher's own
  // key (TORCHELASTIC_RUN_ID, SLURM_JOB_ID.SLURM_STEP_ID, MASTER_ADDR:MASTER_PORT).
  std::string group;
  // The job of `trail run --slurm` runs with this: take over the run queued at submission (its
  // id) instead of starting one (docs/cluster.md). Not for people.
  std::string queued_run;
};

// What the front end hears while a run is recorded; the library never prints. Calls come from
// the recording thread, in order: Started, then Warning/Error any number of times, Finished.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void Started(const std::string& id) = 0;
  virtual void Finished(const Json& record) = 0;
  virtual void Warning(const std::string& message) = 0;
  // The command could not run; the run is still recorded (as failed).
  virtual void Error(const std::string& message) = 0;
};

struct RunOutcome {
  int exit_code = 0;  // the command's, 128+signal when it was killed
  std::string id;
};

// InvalidArgument for a malformed data flag or sweep-trial object; needs no project, so a front
// end can refuse a bad request before opening one. RecordRun checks the same.
Status CheckRunRequest(const RunRequest& request);

// Runs the command with its input and output passed through and records it on the runs
// branch. An error only when recording could not start; the command's own failure is a
// recorded run with its exit code.
StatusOr<RunOutcome> RecordRun(Project& project, const RunRequest& request, RunObserver& observer);

// The context a run of `argv` started in `cwd` would record now (after the config's include /
// exclude lists), with `warnings` when any capture failed. Writes nothing.
StatusOr<Json> PreviewContext(Project& project, const std::vector<std::string>& argv, const std::string& cwd);

}  // namespace trail::api
