#include "sweep/driver.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <thread>

#include "base/clock.h"
#include "base/files.h"
#include "hpo/strategy.h"
#include "metrics/series_tsv.h"
#include "metrics/tailer.h"
#include "process/program.h"
#include "record/live_files.h"
#include "record/record.h"
#include "recording/job_follow.h"
#include "recording/live_run.h"
#include "recording/slurm_submit.h"
#include "sweep/stopping.h"
#include "sweep/sweep_store.h"

namespace trail::sweep {
namespace {

volatile sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

constexpr double kStopGraceSeconds = 10;
// How often a trial's batch job is looked at (one `scontrol show job` each): modest, so that a
// sweep of many jobs does not load the controller.
constexpr double kJobPollSeconds = 2;

// A trial that is running: ours (pid > 0), a batch job (job_id), or left by a driver that died
// (pid -1; a batch job's keeps its job_id).
struct Running {
  pid_t pid = -1;
  std::string job_id;
  double job_seen = 0;  // when the job was last looked at
  std::string id_file;
  std::string id;
  Json point;
  // The trial's live metrics, one set per source: a name is taken from the first source that
  // has it, in the order the record takes it (FinalizeRun), so that two sources of one metric
  // (a CSVLogger column and the same value printed by Keras) never interleave into one series.
  std::unique_ptr<metrics::MetricsTailer> protocol, files, output;
  metrics::MetricSet protocol_set, files_set, output_set;

  const std::vector<metrics::Point>* LiveSeries(const std::string& key) const {
    for (const metrics::MetricSet* set : {&protocol_set, &files_set, &output_set}) {
      if (const auto* s = set->Series(key)) return s;
    }
    return nullptr;
  }
  std::string job_state;  // Slurm's, when last looked at
  bool stopping = false;
  double stop_sent = 0;
  bool sigkilled = false;
};

// A trial on the branch.
struct Done {
  std::string id;
  std::string status;
  std::optional<double> metric;  // the objective's summary, as reported
  Json params;                   // the searched params only
  std::string pruned;
};

std::string EnvName(const std::string& param) {
  std::string out = "TRAIL_PARAM_";
  for (char c : param) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

const char* SummaryKey(Summary s) { return s == Summary::kMin ? "min" : s == Summary::kMax ? "max" : "last"; }

class Driver {
 public:
  Driver(Project& project, Spec spec, Json sweep, const DriverOptions& options, SweepObserver& observer)
      : project_(project), spec_(std::move(spec)), sweep_(std::move(sweep)), options_(options), observer_(observer) {}

  // `previous`: the records of trials already on the branch (resume).
  StatusOr<Json> Run(const std::vector<Json>& previous, const std::vector<std::string>& orphans) {
    TRAIL_ASSIGN_OR_RETURN(strategy_, hpo::MakeStrategy(spec_.strategy, spec_.space, spec_.seed));
    id_ = sweep_["id"].get<std::string>();
    work_dir_ = JoinPath(JoinPath(project_.state_dir(), "sweeps"), id_);
    TRAIL_RETURN_IF_ERROR(MakeDirs(work_dir_));
    for (const Json& rec : previous) Absorb(FromRecord(rec), /*announce=*/false);
    for (const std::string& id : orphans) {
      Running r;
      r.id = id;
      auto start = ReadFile(JoinPath(JoinPath(project_.live_dir(), id), record::live::kStartFile));
      if (start.ok()) {
        if (auto rec = ParseYaml(*start, record::live::kStartFile); rec.ok() && rec->is_object()) {
          r.point = SearchedParams(*rec);
          // A batch job still queued or running: followed, never submitted again.
          if (rec->contains("executor") && (*rec)["executor"].is_object())
            r.job_id = record::GetString((*rec)["executor"], "job_id");
        }
      }
      // Queued but never given a job id: the driver died submitting it. Recorded killed; the
      // slot is proposed again.
      if (r.job_id.empty() && IsQueuedFolder(project_.env(), JoinPath(project_.live_dir(), id))) {
        (void)EndQueuedRun(project_, id, record::kKilled, "", "its submission to Slurm was interrupted");
        continue;
      }
      running_.push_back(std::move(r));
    }
    sweep_["status"] = "running";
    TRAIL_RETURN_IF_ERROR(Save("trail: sweep " + id_ + " running"));
    observer_.Started(sweep_);

    struct sigaction sa {
    }, old_int{}, old_term{}, old_hup{};
    sa.sa_handler = OnInterrupt;
    sigemptyset(&sa.sa_mask);
    g_interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    session_start_ = NowUnixSeconds();
    Status loop = Loop();
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    sigaction(SIGHUP, &old_hup, nullptr);
    TRAIL_RETURN_IF_ERROR(loop);

    if (g_interrupted) {
      sweep_["status"] = "stopped";
      stop_reason_ = "interrupted; trail sweep resume " + id_ + " continues it";
    } else if (!stop_reason_.empty()) {
      sweep_["status"] = "stopped";
    } else {
      sweep_["status"] = "finished";
    }
    if (!stop_reason_.empty())
      sweep_["stopped_reason"] = stop_reason_;
    else
      sweep_.erase("stopped_reason");
    sweep_["ended"] = FormatIsoTime(NowUnixSeconds());
    TRAIL_RETURN_IF_ERROR(Save("trail: sweep " + id_ + " " + sweep_["status"].get<std::string>()));
    (void)RemoveAll(work_dir_);
    return sweep_;
  }

 private:
  Status Loop() {
    bool forwarded = false;
    while (true) {
      if (g_interrupted && !forwarded) {
        forwarded = true;
        for (auto& r : running_) {
          if (r.pid > 0) ::kill(-r.pid, SIGTERM);
          if (!r.job_id.empty()) CancelJob(r);
          r.stop_sent = NowUnixSeconds();
          r.stopping = true;
        }
      }
      TRAIL_RETURN_IF_ERROR(Reap());
      Watch();
      if (!g_interrupted) TRAIL_RETURN_IF_ERROR(Launch());
      if (running_.empty() && (g_interrupted || !CanLaunch())) return Status::Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  bool CanLaunch() const {
    if (!stop_reason_.empty() || exhausted_) return false;
    if (static_cast<int64_t>(done_.size() + running_.size()) >= spec_.trials) return false;
    if (spec_.time_limit_s && NowUnixSeconds() - session_start_ >= *spec_.time_limit_s) return false;
    return true;
  }

  Status Launch() {
    while (CanLaunch() && static_cast<int64_t>(running_.size()) < spec_.parallel) {
      std::vector<hpo::Point> pending;
      for (const auto& r : running_) {
        // A trial left by an earlier session may lack a parameter (its start
        // record was unreadable): the model cannot place it, so it waits unseen.
        if (r.point.is_object() && hpo::CheckPoint(spec_.space, r.point).ok()) pending.push_back(r.point);
      }
      auto point = strategy_->Propose(observations_, pending);
      if (!point.ok()) {
        if (point.status().code() == Code::kFailedPrecondition) {
          exhausted_ = true;  // a grid that has proposed every point
          return Status::Ok();
        }
        return point.status();
      }
      TRAIL_RETURN_IF_ERROR(Spawn(*point));
    }
    if (spec_.time_limit_s && NowUnixSeconds() - session_start_ >= *spec_.time_limit_s && stop_reason_.empty() &&
        static_cast<int64_t>(done_.size() + running_.size()) < spec_.trials && !exhausted_) {
      stop_reason_ = "time budget of " + FormatDuration(*spec_.time_limit_s) + " used";
    }
    // Past the time budget a job that has not started never will: cancelled (recorded killed).
    if (spec_.time_limit_s && NowUnixSeconds() - session_start_ >= *spec_.time_limit_s) {
      for (Running& r : running_) {
        if (!r.job_id.empty() && !r.stopping && r.job_state == "PENDING") {
          CancelJob(r);
          r.stopping = true;
          r.stop_sent = NowUnixSeconds();
        }
      }
    }
    return Status::Ok();
  }

  // A trial as a batch job (executor: slurm): queued as a run, then submitted; the job runs the
  // same `trail run --sweep-trial` on its node.
  Status Submit(const Json& point, const Json& trial) {
    SlurmSubmission s;
    s.start.argv = Substitute(spec_.command, point);
    s.start.cwd = CurrentDirectory();
    s.start.name = "";
    s.start.parent = id_;
    s.start.params = point;
    s.options = *spec_.slurm;
    s.trail_exe = options_.trail_exe;
    s.run_args = {"--sweep-trial", trial.dump()};
    s.env = {"TRAIL_SWEEP_ID=" + id_};
    for (auto it = point.begin(); it != point.end(); ++it) {
      s.env.push_back(EnvName(it.key()) + "=" + record::ScalarText(it.value()));
    }
    TRAIL_ASSIGN_OR_RETURN(SubmittedJob job, SubmitToSlurm(project_, s));
    Running r;
    r.point = point;
    r.id = job.run_id;
    r.job_id = job.job_id;
    r.job_seen = NowUnixSeconds();
    r.job_state = "PENDING";
    observer_.TrialStarted(r.id, point);
    running_.push_back(std::move(r));
    return Status::Ok();
  }

  void CancelJob(Running& r) {
    if (Status s = cluster::CancelJob(r.job_id); !s.ok()) observer_.Warning(s.message());
  }

  Status Spawn(const Json& point) {
    if (spec_.slurm) {
      Json trial = Json::object();
      trial["parent"] = id_;
      trial["hyperparameters"] = hyperparameters_json();
      trial["params"] = point;
      return Submit(point, trial);
    }
    Running r;
    r.point = point;
    r.id_file = JoinPath(work_dir_, "trial-" + std::to_string(++spawned_) + "-" + std::to_string(::getpid()) + ".id");
    Json trial = Json::object();
    trial["parent"] = id_;
    trial["hyperparameters"] = hyperparameters_json();
    trial["params"] = point;
    trial["id_file"] = r.id_file;
    std::vector<std::string> args = {options_.trail_exe, "run", "--sweep-trial", trial.dump(), "--"};
    for (auto& w : Substitute(spec_.command, point)) args.push_back(std::move(w));

    process::Program trial_run;
    trial_run.argv = std::move(args);
    trial_run.env = process::CurrentEnvironmentWithout({"TRAIL_PARAM_", "TRAIL_SWEEP_ID="});
    trial_run.env->push_back("TRAIL_SWEEP_ID=" + id_);
    for (auto it = point.begin(); it != point.end(); ++it) {
      trial_run.env->push_back(EnvName(it.key()) + "=" + record::ScalarText(it.value()));
    }
    if (options_.quiet) trial_run.out = trial_run.err = process::Stream::kNull;
    // Its own process group: a trial can be stopped as a whole, and the
    // terminal's Ctrl-C reaches the driver, which stops the trials itself.
    trial_run.own_process_group = true;
    trial_run.reset_signals = true;
    trial_run.default_signals = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    TRAIL_ASSIGN_OR_RETURN(pid_t pid, process::StartProgram(trial_run));
    r.pid = pid;
    running_.push_back(std::move(r));
    return Status::Ok();
  }

  // Collects trials that ended: ours by waitpid, orphans once on the branch.
  Status Reap() {
    for (auto it = running_.begin(); it != running_.end();) {
      Running& r = *it;
      bool ended = false;
      if (r.pid > 0) {
        int status = 0;
        pid_t got = ::waitpid(r.pid, &status, WNOHANG);
        ended = got == r.pid || (got < 0 && errno == ECHILD);
      } else if (!r.job_id.empty()) {
        double now = NowUnixSeconds();
        if (now - r.job_seen >= kJobPollSeconds) {
          r.job_seen = now;
          auto look = LookAtJob(project_, r.id, r.job_id);
          if (!look.ok()) {
            observer_.Warning("trial " + r.id + " (Slurm job " + r.job_id + "): " + look.status().message());
          } else {
            ended = look->settled;
            if (!look->state.empty()) r.job_state = look->state;
          }
        }
      } else if (!r.id.empty()) {
        ended = !PathExists(JoinPath(project_.live_dir(), r.id));
      }
      if (!ended) {
        ++it;
        continue;
      }
      if (r.id.empty()) r.id = ReadId(r);
      if (!r.id.empty()) {
        auto stored = project_.LoadRun(r.id);
        if (stored.ok()) {
          Absorb(FromRecord(stored->record), /*announce=*/true);
          TRAIL_RETURN_IF_ERROR(
              Save("trail: sweep " + id_ + ": trial " + r.id + " " + record::GetString(stored->record, "status")));
        } else {
          observer_.Warning("trial " + r.id + " left no record: " + stored.status().message());
          observations_.push_back({r.point, std::nullopt});
          done_.push_back({r.id, "failed", std::nullopt, r.point, ""});
        }
      } else {
        // trail run refused to start (bad command line): every trial would.
        observer_.Warning("a trial could not start; stopping the sweep");
        if (stop_reason_.empty()) stop_reason_ = "a trial could not start";
      }
      if (!r.id_file.empty()) ::unlink(r.id_file.c_str());
      it = running_.erase(it);
    }
    return Status::Ok();
  }

  std::string ReadId(const Running& r) {
    if (r.id_file.empty()) return "";
    auto text = ReadFile(r.id_file);
    return text.ok() ? *text : "";
  }

  // Reads the running trials' live metrics and applies the stopping rules.
  void Watch() {
    double now = NowUnixSeconds();
    for (Running& r : running_) {
      if (r.stopping) {
        // A batch job's grace before SIGKILL is Slurm's (KillWait).
        if (r.pid > 0 && !r.sigkilled && now - r.stop_sent > kStopGraceSeconds) {
          ::kill(-r.pid, SIGKILL);
          r.sigkilled = true;
        }
        continue;
      }
      if (!spec_.early_stop && !spec_.prune) continue;
      if (r.id.empty()) r.id = ReadId(r);
      if (r.id.empty() || (r.pid <= 0 && r.job_id.empty())) continue;
      std::string live = JoinPath(project_.live_dir(), r.id);
      if (!r.protocol) {
        r.protocol = std::make_unique<metrics::MetricsTailer>(JoinPath(live, record::live::kMetricsFile));
        r.output = std::make_unique<metrics::MetricsTailer>(JoinPath(live, record::live::kOutputMetricsFile));
        r.files = std::make_unique<metrics::MetricsTailer>(JoinPath(live, record::live::kFileMetricsFile));
      }
      (void)r.protocol->Poll(now, r.protocol_set);
      (void)r.files->Poll(now, r.files_set);
      (void)r.output->Poll(now, r.output_set);
      std::optional<std::string> why;
      if (spec_.early_stop) {
        if (const auto* s = r.LiveSeries(spec_.early_stop->metric)) why = CheckPatience(*spec_.early_stop, *s);
      }
      if (!why && spec_.prune) {
        if (const auto* s = r.LiveSeries(spec_.prune->metric)) why = CheckMedian(*spec_.prune, *s, prune_history_);
      }
      if (!why) continue;
      // The reason first, then the signal: the trial's finalizer reads it.
      if (WriteFileAtomic(JoinPath(live, record::live::kStopFile), *why, /*sync=*/false).ok()) {
        if (r.pid > 0)
          ::kill(-r.pid, SIGTERM);
        else
          CancelJob(r);
        r.stopping = true;
        r.stop_sent = now;
      }
    }
  }

  Json SearchedParams(const Json& record) const {
    Json point = Json::object();
    const Json params = record.value("params", Json::object());
    for (const auto& d : spec_.space.dims) {
      if (params.contains(d.name)) point[d.name] = params[d.name];
    }
    return point;
  }

  Done FromRecord(const Json& rec) {
    Done d;
    d.id = record::GetString(rec, "id");
    d.status = record::GetString(rec, "status");
    d.params = SearchedParams(rec);
    d.pruned = record::GetString(rec, "pruned");
    const Json* summary = nullptr;
    if (rec.contains("metrics") && rec["metrics"].contains("summary")) summary = &rec["metrics"]["summary"];
    if (summary && summary->contains(spec_.objective.metric)) {
      const Json& m = (*summary)[spec_.objective.metric];
      const char* key = SummaryKey(spec_.objective.summary);
      if (m.contains(key) && m[key].is_number()) d.metric = m[key].get<double>();
    }
    if (spec_.prune && rec.contains("metrics") && rec["metrics"].contains("series") &&
        rec["metrics"]["series"].contains(spec_.prune->metric)) {
      auto stored = project_.LoadRun(d.id);
      if (stored.ok()) {
        if (auto text = project_.ReadSeries(*stored, rec["metrics"]["series"][spec_.prune->metric]); text.ok()) {
          if (auto series = metrics::SeriesFromTsv(*text); series.ok()) prune_history_.push_back(ByStep(*series));
        }
      }
    }
    return d;
  }

  void Absorb(const Done& d, bool announce) {
    std::optional<double> value;
    // Failed trials give the model nothing; pruned ones give what they reached.
    if (d.metric && std::isfinite(*d.metric) && d.status != record::kFailed) {
      value = spec_.objective.goal == Goal::kMinimize ? *d.metric : -*d.metric;
    }
    // A record edited by hand may no longer fit the space: it still counts
    // toward the budget, but the model cannot use it.
    if (hpo::CheckPoint(spec_.space, d.params).ok()) observations_.push_back({d.params, value});
    done_.push_back(d);
    if (d.status == record::kFinished && !d.metric && !objective_seen_ && stop_reason_.empty()) {
      stop_reason_ = "objective metric " + spec_.objective.metric + " was never reported by trial " + d.id;
      observer_.Warning(stop_reason_ + "; stopping the sweep (check objective.metric)");
    }
    if (d.metric) objective_seen_ = true;
    if (announce) observer_.TrialFinished(TrialJson(d));
  }

  Json TrialJson(const Done& d) const {
    Json t = Json::object();
    t["id"] = d.id;
    t["status"] = d.status;
    if (d.metric) t["value"] = *d.metric;
    t["params"] = d.params;
    if (!d.pruned.empty()) t["pruned"] = d.pruned;
    return t;
  }

  Json hyperparameters_json() const {
    Json h = Json::object();
    h["strategy"] = spec_.strategy;
    h["space"] = hpo::SpaceToJson(spec_.space);
    return h;
  }

  Status Save(const std::string& message) {
    Json trials = Json::array();
    const Done* best = nullptr;
    for (const Done& d : done_) {
      trials.push_back(TrialJson(d));
      if (!d.metric || d.status == record::kFailed || !std::isfinite(*d.metric)) continue;
      bool better =
          !best || (spec_.objective.goal == Goal::kMinimize ? *d.metric < *best->metric : *d.metric > *best->metric);
      if (better) best = &d;
    }
    sweep_["trials"] = trials;
    if (best) {
      sweep_["best"] = TrialJson(*best);
    }
    return SaveSweep(project_, sweep_, message);
  }

  Project& project_;
  Spec spec_;
  Json sweep_;
  DriverOptions options_;
  SweepObserver& observer_;
  std::unique_ptr<hpo::Strategy> strategy_;
  std::string id_, work_dir_, stop_reason_;
  std::vector<hpo::Observation> observations_;
  std::vector<Done> done_;
  std::vector<StepValues> prune_history_;
  std::vector<Running> running_;
  int64_t spawned_ = 0;
  bool exhausted_ = false;
  bool objective_seen_ = false;
  double session_start_ = 0;
};

uint64_t RandomSeed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 20) ^ rd();
}

}  // namespace

StatusOr<Json> RunSweep(Project& project, const Spec& spec_in, const DriverOptions& options, SweepObserver& observer) {
  Spec spec = spec_in;
  if (!spec.source.contains("seed")) spec.seed = RandomSeed() % 1000000007ULL;
  Json rec = Json::object();
  if (!spec.name.empty()) rec["name"] = spec.name;
  rec["status"] = "starting";
  rec["started"] = FormatIsoTime(NowUnixSeconds());
  git::Identity who = project.user();
  rec["user"] = Json{{"name", who.name}, {"email", who.email}};
  rec["strategy"] = spec.strategy;
  rec["seed"] = spec.seed;
  Json objective = Json::object();
  objective["metric"] = spec.objective.metric;
  objective["summary"] = SummaryKey(spec.objective.summary);
  objective["goal"] = spec.objective.goal == Goal::kMinimize ? "minimize" : "maximize";
  rec["objective"] = objective;
  rec["budget"] = Json{{"trials", spec.trials}, {"parallel", spec.parallel}};
  if (spec.time_limit_s) rec["budget"]["time_s"] = *spec.time_limit_s;
  rec["hyperparameters"] = hpo::SpaceToJson(spec.space);
  rec["spec"] = spec.source;
  TRAIL_ASSIGN_OR_RETURN(Json created, CreateSweep(project, rec));
  Driver driver(project, spec, created, options, observer);
  return driver.Run({}, {});
}

StatusOr<Json> ResumeSweep(Project& project, const std::string& id_in, const DriverOptions& options,
                           SweepObserver& observer) {
  TRAIL_ASSIGN_OR_RETURN(Json rec, LoadSweep(project, id_in));
  std::string id = record::GetString(rec, "id");
  if (rec.value("status", "") == "finished") return rec;
  auto parsed = ParseSpec(rec.value("spec", Json::object()));
  if (!parsed.ok()) return Corrupt(SweepPath(id) + ": its spec no longer parses: " + parsed.status().message());
  Spec spec = *parsed;
  spec.seed = rec.value("seed", Json(0)).get<uint64_t>();

  // The trials on the branch, oldest first; killed and crashed ones (an
  // interrupted session) are run again.
  TRAIL_ASSIGN_OR_RETURN(index::RunIndex * idx, project.Index());
  index::ListQuery q;
  q.where = "attributes.parent = '" + id + "'";
  q.include_archived = true;
  TRAIL_ASSIGN_OR_RETURN(auto rows, idx->List(q));
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
  std::vector<Json> records;
  for (const auto& row : rows) {
    if (row.status != record::kFinished && row.status != record::kFailed && row.status != record::kPruned) continue;
    auto stored = project.LoadRun(row.id);
    if (stored.ok()) records.push_back(stored->record);
  }
  std::vector<std::string> orphans;
  for (const Json& live : ListLiveRuns(project)) {
    if (record::GetString(live, "parent") == id) orphans.push_back(record::GetString(live, "id"));
  }
  rec.erase("stopped_reason");
  rec.erase("ended");
  Driver driver(project, spec, rec, options, observer);
  return driver.Run(records, orphans);
}

}  // namespace trail::sweep
