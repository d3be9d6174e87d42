// trail run: run a command and record it.
#include <unistd.h>

#include <charconv>
#include <cstdio>

#include "commands.h"
#include "table.h"
#include "trail/cluster.h"
#include "trail/format.h"
#include "trail/recording.h"
#include "trail/runs.h"

namespace trail::cli {
namespace {

class CliObserver : public api::RunObserver {
 public:
  void Started(const std::string& id) override { std::fprintf(stderr, "trail: recording %s\n", id.c_str()); }
  void Warning(const std::string& message) override { PrintWarning(message); }
  void Error(const std::string& message) override { PrintError(message); }
  void Finished(const Json& rec) override {
    std::string line = "trail: " + api::GetString(rec, "id") + " " + api::GetString(rec, "status");
    if (rec.contains("exit_code") && rec["exit_code"] != 0) line += " (exit " + api::GetString(rec, "exit_code") + ")";
    line += " in " + api::FormatDuration(api::GetNumber(rec, "duration_s"));
    if (rec.contains("metrics") && rec["metrics"].contains("summary")) {
      // The program's own metrics; the sampled system/... series are for `trail show`.
      const Json origin = rec["metrics"].value("origin", Json::object());
      int shown = 0;
      for (auto it = rec["metrics"]["summary"].begin(); it != rec["metrics"]["summary"].end() && shown < 6; ++it) {
        if (origin.is_object() && origin.value(it.key(), Json()) == "system") continue;
        line += (shown++ ? ", " : ": ") + it.key() + " " + Cell(it.value()["last"]);
      }
    }
    std::fprintf(stderr, "%s\n", line.c_str());
  }
};

}  // namespace

std::function<int()> SetupRun(CLI::App& sub) {
  auto req = std::make_shared<api::RunRequest>();
  auto no_args = std::make_shared<bool>(false);
  sub.add_option("--name", req->name, "a human name for the run");
  sub.add_option("-p,--param", req->params, "a param KEY=VALUE (typed: int, float, bool, string); repeatable")
      ->allow_extra_args(false);
  sub.add_option("--tag", req->tags, "a tag KEY=VALUE; repeatable")->allow_extra_args(false);
  sub.add_flag("--no-arg-params", *no_args, "do not read params from the command's --key value options");
  auto no_parse = std::make_shared<bool>(false);
  sub.add_flag("--no-parse", *no_parse, "do not read metrics from the command's output (Keras, tqdm progress lines)");
  auto no_system = std::make_shared<bool>(false);
  sub.add_flag("--no-system-metrics", *no_system,
               "do not sample the run's system metrics (CPU, memory, disk and network IO, GPUs: system/... series)");
  auto system_interval = std::make_shared<double>(0);
  CLI::Option* system_interval_option =
      sub.add_option("--system-metrics-interval", *system_interval,
                     "seconds between system metric samples, 0.1 to 3600 (default: the config's metrics.system, or 5)")
          ->type_name("S");
  // Used by `trail sweep` to run its trials; not for people.
  sub.add_option("--sweep-trial", req->sweep_trial, "")->group("");
  sub.add_option("--data", req->data,
                 "a data input ROLE=PATH_OR_URL (train, validation, ...): hash, size, instances and a 1% snapshot "
                 "are recorded; repeatable")
      ->allow_extra_args(false);
  sub.add_option("--snapshot-fraction", req->data_options.fraction,
                 "fraction of each --data file kept as its snapshot (default 0.01)");
  sub.add_option("--snapshot-seed", req->data_options.seed, "seed of the snapshot sampling (default 0)");
  sub.add_option("--stratify", req->data_options.stratify,
                 "keep each class's share in the snapshots: a CSV column or JSON Lines key");
  sub.add_option(
         "--artifact", req->artifacts,
         "a file or folder the run writes (model, checkpoints): what it creates or changes is stored; repeatable")
      ->allow_extra_args(false);
  auto seed = std::make_shared<std::string>();
  CLI::Option* seed_option =
      sub.add_option("--seed", *seed,
                     "a seed N (0 to 4294967295): the command gets PYTHONHASHSEED=N and TRAIL_SEED=N "
                     "(trail.seed() reads it) and the run records seed: N")
          ->type_name("N");
  sub.add_option("--reproduces", req->reproduces,
                 "record the run as reproducing run ID (see trail reproduce --no-run)");
  sub.add_option("--resume", req->resume,
                 "continue run ID (id, number or uid) that crashed, was killed, failed or was pruned: same id, "
                 "metrics appended after its last step, one more attempt in its record")
      ->type_name("ID");
  sub.add_flag("--force", req->force, "with --resume: reopen a finished run too");
  sub.add_option("--group", req->group,
                 "KEY shared by the ranks of one multi-process job (RANK/WORLD_SIZE set): they record one run "
                 "(default: $TRAIL_RUN_GROUP, else the launcher's job; docs/distributed.md)");
  // Slurm (docs/cluster.md): the run becomes a batch job that runs `trail run` on its node.
  auto slurm = std::make_shared<api::SlurmOptions>();
  auto on_slurm = std::make_shared<bool>(false);
  auto wait = std::make_shared<bool>(false);
  CLI::Option* slurm_flag = sub.add_flag(
      "--slurm", *on_slurm,
      "submit the run as a Slurm batch job (sbatch) that records it on its node; prints the job and run ids and "
      "returns (see --wait). The run is listed as queued until the job starts");
  std::vector<CLI::Option*> slurm_only = {
      sub.add_option("--partition", slurm->partition, "with --slurm: the partition (sbatch --partition)"),
      sub.add_option("--time", slurm->time,
                     "with --slurm: the time limit, as sbatch takes it (30, 1:00:00, 2-00:00:00)"),
      sub.add_option("--cpus", slurm->cpus, "with --slurm: CPUs for the run (sbatch --cpus-per-task)")
          ->check(CLI::PositiveNumber),
      sub.add_option("--mem", slurm->mem, "with --slurm: memory (sbatch --mem, e.g. 4G)"),
      sub.add_option("--gres", slurm->gres, "with --slurm: generic resources (sbatch --gres, e.g. gpu:1)"),
      sub.add_option("--account", slurm->account, "with --slurm: the account to charge (sbatch --account)"),
      sub.add_option("--sbatch-arg", slurm->sbatch_args,
                     "with --slurm: one more sbatch option, as --name=value; repeatable")
          ->allow_extra_args(false),
      sub.add_flag("--wait", *wait, "with --slurm: wait until the job's run is recorded; return its exit code"),
  };
  for (CLI::Option* o : slurm_only) o->needs(slurm_flag);
  // Used by the batch script of `trail run --slurm`; not for people.
  sub.add_option("--queued-run", req->queued_run, "")->group("");
  sub.add_option("command", req->argv, "the command to run, after --")->required();
  sub.footer(
      "The command runs with its input and output passed through unchanged. It can report metrics by\n"
      "appending JSON lines to the file named by $TRAIL_METRICS, e.g. {\"step\": 3, \"loss\": 0.21}.\n"
      "trail run returns the command's exit code. See docs/run.md.");
  return [req, no_args, no_parse, seed, seed_option, no_system, system_interval, system_interval_option, slurm,
          on_slurm, wait] {
    req->params_from_args = !*no_args;
    req->parse_output = !*no_parse;
    req->system_metrics = !*no_system;
    if (system_interval_option->count() > 0) req->system_metrics_interval = *system_interval;
    if (seed_option->count() > 0) {
      int64_t n = 0;
      const char* end = seed->data() + seed->size();
      auto [ptr, ec] = std::from_chars(seed->data(), end, n);
      if (ec != std::errc() || ptr != end || n < 0 || n > 4294967295) {
        return Fail(InvalidArgument("--seed: expected an integer from 0 to 4294967295, got '" + *seed + "'"));
      }
      req->seed = n;
    }
    if (Status s = api::CheckRunRequest(*req); !s.ok()) return Fail(s);
    auto project = OpenProject();
    if (!project) return 1;
    if (!req->reproduces.empty()) {  // a run that exists, recorded by its id
      auto original = api::LoadRun(*project, req->reproduces);
      if (!original.ok()) return Fail(original.status());
      req->reproduces = api::GetString(original->record, "id");
    }
    if (*on_slurm) {
      auto job = api::SubmitRun(*project, *req, *slurm, SelfExe());
      if (!job.ok()) return Fail(job.status());
      std::printf("%s %s\n", job->job_id.c_str(), job->run_id.c_str());
      std::fflush(stdout);
      std::fprintf(stderr, "trail: submitted %s as Slurm job %s (output: %s)\n", job->run_id.c_str(),
                   job->job_id.c_str(), job->log.c_str());
      if (!*wait) return 0;
      auto rec = api::WaitForSubmittedRun(*project, *job);
      if (!rec.ok()) return Fail(rec.status());
      CliObserver().Finished(*rec);
      if (api::GetString(*rec, "status") == "finished") return 0;
      return rec->contains("exit_code") && (*rec)["exit_code"].is_number_integer() && (*rec)["exit_code"] != 0
                 ? (*rec)["exit_code"].get<int>()
                 : 1;
    }
    CliObserver observer;
    auto out = api::RecordRun(*project, *req, observer);
    if (!out.ok()) return Fail(out.status());
    return out->exit_code;
  };
}

}  // namespace trail::cli
