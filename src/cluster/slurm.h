// Slurm, as trail uses it (docs/cluster.md): a run or a sweep's trial is a batch job whose script
// execs `trail run` on the node. Submission, following and cancelling go through the scheduler's
// own commands (sbatch, scontrol, scancel), found in $PATH and run by argv; they read SLURM_CONF
// and the cluster's settings from the environment as they would for the user.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/yaml.h"
#include "trail/status.h"

namespace trail::cluster {

// `#SBATCH` options of a job. Empty (or 0) fields are left to the cluster's defaults.
struct SlurmOptions {
  std::string partition;
  std::string time;  // Slurm's own syntax ("10", "1:00:00", "2-00:00:00")
  int64_t cpus = 0;  // --cpus-per-task
  std::string mem;   // "4G"
  std::string gres;  // "gpu:1"
  std::string account;
  std::vector<std::string> sbatch_args;  // more options, each one word starting with '-'
};

// InvalidArgument naming the option when a value could break the script: a newline or other
// control character, a sbatch argument that is not an option, cpus below 0.
Status CheckSlurmOptions(const SlurmOptions& options);

// A sweep's `executor: {slurm: {...}}` block (keys partition, time, cpus, mem, gres, account,
// sbatch_args); an unknown key or a value of the wrong type is InvalidArgument naming it.
StatusOr<SlurmOptions> SlurmOptionsFromJson(const Json& block, const std::string& where);
Json SlurmOptionsToJson(const SlurmOptions& options);

// What the batch script runs: `argv` (argv[0] an absolute path) in `workdir` with `env`
// (NAME=VALUE) exported, its output and errors into `log_path`.
struct BatchJob {
  std::string name;
  std::string workdir;
  std::string log_path;
  std::vector<std::string> env;
  std::vector<std::string> argv;
};

// The script: `#!/bin/sh`, `#SBATCH` lines, exports, then `exec` of the argv, every word
// single-quoted. The options must have passed CheckSlurmOptions.
std::string BatchScript(const SlurmOptions& options, const BatchJob& job);

// Submits the script at `script_path` (`sbatch --parsable`): the job id. FailedPrecondition when sbatch
// is missing or refuses, with its message.
StatusOr<std::string> SubmitBatch(const std::string& script_path);

// A job as `scontrol show job -o` reports it. known=false: the controller no longer knows the
// job (it ended more than MinJobAge ago) or never did.
struct JobInfo {
  bool known = false;
  std::string state;  // PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, TIMEOUT, NODE_FAIL, ...
  std::string reason;
  std::string exit_code;  // "0:0" (code:signal)
  std::string node;
};

// Parses one `scontrol show job -o` line.
JobInfo ParseJobLine(std::string_view line);
// Asks the controller. FailedPrecondition when scontrol cannot run or the controller does not answer.
StatusOr<JobInfo> QueryJob(const std::string& job_id);
// `scancel ID`. A job that already ended is Ok.
Status CancelJob(const std::string& job_id);

// True while the job may still run: PENDING, RUNNING, CONFIGURING, COMPLETING, REQUEUED,
// RESIZING, SUSPENDED, STOPPED (and the -ING states generally).
bool JobActive(const std::string& state);

// How an ended job is recorded when trail could not record it itself: status (failed or
// killed) and a one-line reason, e.g. {"failed", "Slurm job 12 NODE_FAIL (NodeDown)"}.
// nullopt for COMPLETED and for states that say nothing beyond the run's own exit.
struct JobVerdict {
  std::string status;
  std::string reason;
};
std::optional<JobVerdict> VerdictOf(const std::string& job_id, const JobInfo& info);

// Single-quotes a word for /bin/sh.
std::string ShellQuote(std::string_view word);

}  // namespace trail::cluster
