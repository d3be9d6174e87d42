// `trail run`: runs a command and records it as a run on the runs branch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "project/project.h"
#include "recording/run_data.h"
#include "trail/status.h"

namespace trail {

struct RunRequest {
  std::vector<std::string> argv;    // the command
  std::string name;                 // optional human name
  std::vector<std::string> params;  // -p key=value
  std::vector<std::string> tags;    // --tag key=value
  bool params_from_args = true;     // parse --key value from the command's arguments
  // Set by `trail sweep` for its trials:
  std::string parent;    // the sweep id
  Json hyperparameters;  // the space searched (record key `hyperparameters`)
  Json extra_params;     // typed params merged last (the values the sweep chose)
  std::string id_file;   // the run id is written here once allocated
  // Parse the child's output for Keras/tqdm metrics (metrics.parse_output in
  // the config can turn it off too).
  bool parse_output = true;
  // Sample the run's system metrics (recording/system_metrics_capture.h): `--no-system-metrics`
  // turns it off, as `metrics.system: off` in the config does; the interval in seconds
  // (`--system-metrics-interval`) wins over the config's.
  bool system_metrics = true;
  std::optional<double> system_metrics_interval;
  std::vector<DataInput> data;         // --data ROLE=PATH_OR_URL
  DataOptions data_options;            // --snapshot-fraction, --snapshot-seed, --stratify
  std::vector<std::string> artifacts;  // --artifact PATH (relative to the cwd)
  std::optional<int64_t> seed;         // --seed N: PYTHONHASHSEED and TRAIL_SEED in the child, `seed: N` recorded
  // Set by `trail reproduce`:
  std::string reproduces;        // the run reproduced (record key `reproduces`)
  std::vector<std::string> env;  // NAME=VALUE over the inherited environment (TRAIL_* of the run win)
  std::string cwd;               // absolute; empty: the process's current directory
  // --resume ID: continue that run (recording/resume.h); --force: even a finished one.
  std::string resume;
  bool force = false;
  // --group KEY: the key the ranks of a multi-process job share (rank_group.h); empty: taken
  // from TRAIL_RUN_GROUP or the launcher's variables.
  std::string group;
  // --queued-run ID: the job's `trail run` on a batch node takes over the run queued at
  // submission (recording/queued_run.h).
  std::string queued_run;
};

// The largest seed: PYTHONHASHSEED takes 0..4294967295.
inline constexpr int64_t kMaxSeed = 4294967295;
// "--seed N: expected an integer from 0 to 4294967295".
std::string SeedRangeError(int64_t seed);

// What the front end hears about while a run is recorded. The library never
// prints; the CLI decides what the user sees.
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
  int exit_code = 0;  // what `trail run` returns: the child's, 128+signal if killed
  std::string id;
};

StatusOr<RunOutcome> RecordRun(Project& project, const RunRequest& request, RunObserver& observer);

}  // namespace trail
