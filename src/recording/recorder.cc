#include "recording/recorder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include "base/clock.h"
#include "metrics/metric_set.h"
#include "metrics/tailer.h"
#include "process/child_process.h"
#include "project/metrics_config.h"
#include "record/live_files.h"
#include "record/params.h"
#include "record/record.h"
#include "recording/ended_run.h"
#include "recording/file_metrics_capture.h"
#include "recording/live_run.h"
#include "recording/output_capture.h"
#include "recording/queued_run.h"
#include "recording/rank_group.h"
#include "recording/run_start.h"
#include "recording/system_metrics_capture.h"
#include "store/local_store.h"

extern char** environ;

namespace trail {
namespace {

// The inherited environment with `overrides` (NAME=VALUE, checked by the API) set over it, then
// the run's own TRAIL_* variables, which nothing overrides.
std::vector<std::string> ChildEnvironment(const LiveRun& run, const Project& project, const std::string& uid,
                                          const std::vector<std::string>& overrides) {
  // The run's own: set below, whatever an outer run (or a record) says.
  const auto own = [](std::string_view entry) {
    for (std::string_view name : {"TRAIL_METRICS=", "TRAIL_RUN_ID=", "TRAIL_RUN_UID=", "TRAIL_PROJECT_ROOT="}) {
      if (entry.substr(0, name.size()) == name) return true;
    }
    return false;
  };
  const auto overridden = [&overrides](std::string_view entry) {
    for (const std::string& o : overrides) {
      const size_t n = o.find('=') + 1;
      if (entry.substr(0, n) == std::string_view(o).substr(0, n)) return true;
    }
    return false;
  };
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (own(*e) || overridden(*e)) continue;
    env.emplace_back(*e);
  }
  for (const std::string& o : overrides) {
    if (!own(o)) env.push_back(o);
  }
  env.push_back("TRAIL_METRICS=" + run.path(record::live::kMetricsFile));
  env.push_back("TRAIL_RUN_ID=" + run.id);
  env.push_back("TRAIL_RUN_UID=" + uid);
  env.push_back("TRAIL_PROJECT_ROOT=" + project.root());
  return env;
}

// A resumed run tells its program where to continue: TRAIL_RESUME=1 and TRAIL_RESUME_STEP, the
// last recorded step (-1: none). Inherited values (a trail run inside a resumed one) never
// reach a new run's program.
void SetResumeEnvironment(std::vector<std::string>& env, std::optional<int64_t> resume_step) {
  std::erase_if(
      env, [](const std::string& e) { return e.starts_with("TRAIL_RESUME=") || e.starts_with("TRAIL_RESUME_STEP="); });
  if (!resume_step) return;
  env.push_back("TRAIL_RESUME=1");
  env.push_back("TRAIL_RESUME_STEP=" + std::to_string(*resume_step));
}

// The program ran, but its record could not be committed (a full disk,
// most likely): say what happened to the program and what becomes of it.
Status RecordNotWritten(const LiveRun& run, const ExitInfo& exit, const Status& exit_saved, const Status& why) {
  std::string fate = exit.signal ? "was killed by signal " + std::to_string(exit.signal)
                                 : "exited with code " + std::to_string(exit.exit_code);
  std::string later = exit_saved.ok() ? "the next trail command will record it (with that exit status)"
                                      : "its exit status could not be saved either (" + exit_saved.message() +
                                            "); the next trail command will record it as crashed";
  return Status(why.code(), run.id + ": the program " + fate + ", but its record and metrics could not be written (" +
                                why.message() + "); " + later + " once there is room");
}

}  // namespace

std::string SeedRangeError(int64_t seed) {
  return "--seed " + std::to_string(seed) + ": expected an integer from 0 to " + std::to_string(kMaxSeed) +
         " (the range of PYTHONHASHSEED)";
}

StatusOr<RunOutcome> RecordRun(Project& project, const RunRequest& request, RunObserver& observer) {
  if (request.argv.empty()) return InvalidArgument("no command to run (usage: trail run [options] -- CMD ARGS...)");
  if (request.seed && (*request.seed < 0 || *request.seed > kMaxSeed)) {
    return InvalidArgument(SeedRangeError(*request.seed));
  }
  if (request.system_metrics_interval) {
    TRAIL_RETURN_IF_ERROR(CheckSystemInterval(*request.system_metrics_interval, "--system-metrics-interval"));
  }
  std::vector<std::string> warnings;
  RecoverAbandonedRuns(project, &warnings);
  for (const auto& w : warnings) observer.Warning(w);
  warnings.clear();

  // Params: params files < the command's own options < -p (< a sweep's
  // values). Bad input fails here, before anything is written.
  RunStart start;
  start.argv = request.argv;
  start.cwd = request.cwd.empty() ? CurrentDirectory() : request.cwd;
  start.name = request.name;
  start.parent = request.parent;
  start.reproduces = request.reproduces;
  start.params_from_args = request.params_from_args;
  start.resume = request.resume;
  start.force = request.force;
  start.queued_run = request.queued_run;
  TRAIL_ASSIGN_OR_RETURN(start.params, record::ParseAssignments(request.params, "-p", true));
  if (request.extra_params.is_object()) record::MergeInto(start.params, request.extra_params);
  TRAIL_ASSIGN_OR_RETURN(start.tags, record::ParseAssignments(request.tags, "--tag", false));
  start.hyperparameters = request.hyperparameters;
  // The child's variables over the inherited ones: the request's (a reproduction's recorded
  // ones), then the seed's. One entry per name, the later winning: getenv() finds the first.
  const auto set_env = [&start](const std::string& entry) {
    const std::string name = entry.substr(0, entry.find('=') + 1);
    std::erase_if(start.env_overrides, [&](const std::string& e) { return e.rfind(name, 0) == 0; });
    start.env_overrides.push_back(entry);
  };
  for (const std::string& e : request.env) set_env(e);
  if (request.seed) {
    start.seed = request.seed;
    // Python's hash seed and the one trail.seed() reads: the same N makes the same run.
    set_env("PYTHONHASHSEED=" + std::to_string(*request.seed));
    set_env("TRAIL_SEED=" + std::to_string(*request.seed));
  }
  for (const std::string& a : request.artifacts)
    start.artifact_paths.push_back(
        std::filesystem::absolute(std::filesystem::path(start.cwd) / a).lexically_normal().string());
  // A rank of a multi-process job: rank 0 records the run, every other rank attaches to it.
  TRAIL_ASSIGN_OR_RETURN(std::optional<RankGroup> group, DetectRankGroup(request.group, std::getenv));
  if (group && group->rank != 0) {
    if (!request.resume.empty())
      return InvalidArgument("--resume: rank " + std::to_string(group->rank) + " of " + group->key +
                             " attaches to rank 0's run; resume with rank 0 only");
    TRAIL_ASSIGN_OR_RETURN(RankRun rank, RecordRank(project, *group, request.argv, start.cwd, start.env_overrides,
                                                    [&observer](const std::string& id) { observer.Started(id); }));
    return RunOutcome{rank.exit_code, rank.id};
  }
  if (group) start.ranks = RanksStartBlock(*group);
  // Inside a job with node-local locks only a run the login node allocated may be recorded.
  if (RecordsInNodeLocalJob(project) && request.queued_run.empty())
    return FailedPrecondition(
        "trail run inside a Slurm job with cluster.locks: node-local cannot allocate a run here (its locks do not "
        "hold between nodes); submit it with trail run --slurm (docs/cluster.md)");
  // Data inputs are read (hashed, counted, sampled) before the program can change them; their
  // snapshots are in the store before the run's start record names them.
  std::unique_ptr<store::LocalStore> data_store;
  if (!request.data.empty()) {
    TRAIL_ASSIGN_OR_RETURN(data_store, store::LocalStore::OpenForWriting(project.store_dir()));
    TRAIL_ASSIGN_OR_RETURN(start.data,
                           RecordDataInputs(project, *data_store, request.data, request.data_options, start.cwd));
  }
  // Checked again by BeginRun; needed here for the output parser.
  TRAIL_ASSIGN_OR_RETURN(MetricsConfig metrics_config, ParseMetricsConfig(project.config()));

  // The metrics file exists before the child starts so we hold a descriptor
  // to fsync it; BeginRun writes start.yaml last, once the folder is ready.
  TRAIL_ASSIGN_OR_RETURN(BegunRun begun, BeginRun(project, start, &warnings));
  data_store.reset();  // start.yaml names the snapshots now; gc reads live runs' records
  LiveRun& run = begun.run;
  Json& rec = begun.record;
  if (group) TRAIL_RETURN_IF_ERROR(PublishGroupRun(project, *group, run.id));
  if (!request.id_file.empty()) TRAIL_RETURN_IF_ERROR(WriteFileAtomic(request.id_file, run.id, /*sync=*/false));
  for (const auto& w : warnings) observer.Warning(w);
  warnings.clear();
  TRAIL_RETURN_IF_ERROR(ReserveExitRecord(run));
  int metrics_fd = ::open(run.path(record::live::kMetricsFile).c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (metrics_fd < 0)
    return IoError("cannot create " + run.path(record::live::kMetricsFile) + ": " + std::strerror(errno));
  // Its name durable before the child syncs values into it (see OpenLiveFile); best effort,
  // as the child's own syncs are.
  (void)run.env->SyncDir(run.dir);
  observer.Started(run.id);

  std::optional<OutputMetricsCapture> output_metrics;
  if (request.parse_output && metrics_config.parse_output) {
    metrics::OutputParserOptions parse_options;
    parse_options.key_values = metrics_config.key_values;
    output_metrics.emplace(run.path(record::live::kOutputMetricsFile), parse_options);
  }
  // TensorBoard and CSVLogger files the program writes, followed while it runs (for sweeps).
  FileMetricsCapture file_metrics(run.path(record::live::kFileMetricsFile), metrics_config,
                                  JoinPath(project.root(), record::GetString(rec, "cwd")),
                                  ParseIsoTime(record::GetString(rec, "started")).value_or(run.env->NowUnixSeconds()));

  process::ChildSpec spec;
  spec.argv = request.argv;
  if (output_metrics) {
    spec.on_output = [&output_metrics](size_t stream, const char* data, size_t size) {
      output_metrics->Feed(stream, data, size);
    };
  }
  spec.env = ChildEnvironment(run, project, record::GetString(rec, "uid"), start.env_overrides);
  if (!request.cwd.empty()) spec.cwd = request.cwd;
  SetResumeEnvironment(spec.env, begun.resume_step);
  spec.keep_fds = {run.lock.fd()};  // the child keeps the run live if we die
  auto child = process::ChildProcess::Start(spec);
  std::optional<ExitInfo> exit;
  std::string tail;
  metrics::MetricSet live_set;
  metrics::MetricsTailer tailer(run.path(record::live::kMetricsFile), run.path(record::live::kMetricsMarksFile));
  if (!child.ok()) {
    observer.Error(child.status().message());
    // As a shell: 127 when there is no such command, 126 when it cannot run.
    exit = ExitInfo{child.status().code() == Code::kNotFound ? 127 : 126, 0, run.env->NowUnixSeconds()};
    Json w = rec.value("warnings", Json::array());
    w.push_back(child.status().message());
    rec["warnings"] = w;
  } else {
    auto last_sync = std::chrono::steady_clock::now();
    process::ChildProcess& proc = **child;
    std::optional<SystemMetricsCapture> system_metrics;
    if (request.system_metrics && metrics_config.system) {
      system_metrics.emplace(run.path(record::live::kSystemMetricsFile), proc.pid(),
                             request.system_metrics_interval.value_or(metrics_config.system_interval), spec.env);
    }
    auto on_tick = [&] {
      (void)tailer.Poll(run.env->NowUnixSeconds(), live_set);
      auto now = std::chrono::steady_clock::now();
      if (now - last_sync >= std::chrono::seconds(1)) {
        last_sync = now;
        ::fsync(metrics_fd);
        if (output_metrics) output_metrics->Sync();
        (void)WriteFileAtomic(run.path(record::live::kOutputTailFile), proc.OutputTail(), /*sync=*/false);
      }
    };
    process::ChildExit ce = proc.Wait(on_tick, std::chrono::milliseconds(100));
    if (system_metrics) system_metrics->Stop();  // the tree is gone
    if (output_metrics) {
      output_metrics->Finish();
      if (output_metrics->dropped_bytes() > 0) {
        Json w = rec.value("warnings", Json::array());
        w.push_back("metrics from output: " + std::to_string(output_metrics->dropped_bytes()) +
                    " bytes of output were not parsed (the program wrote faster than trail could read "
                    "metrics from it; its output itself was passed through whole)");
        rec["warnings"] = w;
      }
    }
    exit = ExitInfo{ce.exit_code, ce.signaled ? ce.signal : 0, run.env->NowUnixSeconds()};
    tail = proc.OutputTail();
  }
  // Sync what the child wrote since the last periodic sync; an empty file
  // (most short runs) has nothing to lose.
  struct stat st;
  if (::fstat(metrics_fd, &st) == 0 && st.st_size > 0) ::fsync(metrics_fd);
  ::close(metrics_fd);
  // What this `trail run` returns: its own program's, whatever another rank did.
  const int own_exit_code = exit->signal ? 128 + exit->signal : exit->exit_code;
  if (group) {
    // The run ends when every rank has: the first that failed fails it (docs/distributed.md).
    const double started = ParseIsoTime(record::GetString(rec, "started")).value_or(exit->ended);
    RanksOutcome ranks = WaitForRanks(run, *group, *exit, started, !project.node_local_locks(),
                                      [&] { (void)tailer.Poll(run.env->NowUnixSeconds(), live_set); });
    AddRanksOutcome(rec, ranks);
    if (!ranks.failed.empty()) observer.Warning(ranks.failed + ": run " + run.id + " failed");
    if (ranks.run_exit) exit = *ranks.run_exit;
  }
  Status exit_saved = WriteExitRecord(run, *exit);
  // A batch job's run that did not end cleanly: the scheduler may know why.
  if (exit->signal != 0 || exit->exit_code != 0) NoteJobOutcome(run, rec);
  (void)WriteFileAtomic(run.path(record::live::kOutputTailFile), tail, /*sync=*/false);

  file_metrics.Stop();  // before the live folder goes; the record reads the files once more
  const FinalizeOptions finalize{exit, tail, LiveMetrics{&tailer, &live_set}, &warnings};
  // Node-local locks: the run waits in its live folder for the login node to commit it.
  const bool park = RecordsInNodeLocalJob(project);
  auto final_record = park ? ParkRun(project, run, rec, finalize) : FinalizeRun(project, run, rec, finalize);
  if (park && final_record.ok())
    warnings.push_back(run.id + " ended; it waits in " + run.dir +
                       " for the login node to commit it (cluster.locks: node-local)");
  for (const auto& w : warnings) observer.Warning(w);
  if (group) RetireGroupRun(project, *group, run.id);
  if (!final_record.ok()) return RecordNotWritten(run, *exit, exit_saved, final_record.status());
  observer.Finished(*final_record);
  RunOutcome out;
  out.id = run.id;
  out.exit_code = own_exit_code;
  return out;
}

}  // namespace trail
