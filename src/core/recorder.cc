#include "core/recorder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <random>

#include "context/context.h"
#include "core/live_run.h"
#include "metrics/metric_set.h"
#include "metrics/tailer.h"
#include "record/params.h"
#include "record/record.h"
#include "run/child_process.h"
#include "util/clock.h"

extern char** environ;

namespace trail {
namespace {

std::string RandomUid() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(::getpid()));
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// Table 3's environment: OS, CPU, memory, GPUs/TPUs (honouring the child's
// CUDA_VISIBLE_DEVICES), and for Python commands the interpreter and the
// framework versions, read without importing anything. Fail-soft: problems
// become warnings in the record.
Json CaptureEnvironment(const std::vector<std::string>& argv, const std::string& cwd,
                        std::vector<std::string>* warnings) {
  Json env = context::CaptureEnvironment(argv, cwd, context::ContextEnv::FromProcess(), warnings);
  env["trail"] = TRAIL_VERSION;
  return env;
}

// Path of `p` relative to `root` when it lies inside it.
std::string RelativeTo(const std::string& root, const std::string& p) {
  if (p == root) return ".";
  if (p.size() > root.size() && p.compare(0, root.size(), root) == 0 && p[root.size()] == '/')
    return p.substr(root.size() + 1);
  return p;
}

// The program the command runs: "train.py" for `python train.py`, "pkg.mod"
// for `python -m pkg.mod`, else the command itself.
std::string EntryPoint(const std::vector<std::string>& argv, const std::string& cwd, const std::string& root) {
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-m" && i + 1 < argv.size()) return argv[i + 1];
    if (a.empty() || a[0] == '-') continue;
    std::string full = a[0] == '/' ? a : JoinPath(cwd, a);
    if (PathExists(full) && !IsDirectory(full)) {
      char* real = ::realpath(full.c_str(), nullptr);
      std::string resolved = real ? real : full;
      std::free(real);
      return RelativeTo(root, resolved);
    }
    break;  // the first plain argument was not a file: not an interpreter call
  }
  return argv.empty() ? "" : argv[0];
}

std::vector<std::string> ChildEnvironment(const LiveRun& run, const Project& project, const std::string& uid) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "TRAIL_METRICS=", 14) == 0 || std::strncmp(*e, "TRAIL_RUN_ID=", 13) == 0) continue;
    env.emplace_back(*e);
  }
  env.push_back("TRAIL_METRICS=" + run.path("metrics.jsonl"));
  env.push_back("TRAIL_RUN_ID=" + run.id);
  env.push_back("TRAIL_RUN_UID=" + uid);
  env.push_back("TRAIL_PROJECT_ROOT=" + project.root());
  return env;
}

}  // namespace

StatusOr<RunOutcome> RecordRun(Project& project, const RunRequest& request, RunObserver& observer) {
  if (request.argv.empty()) return InvalidArgument("no command to run (usage: trail run [options] -- CMD ARGS...)");
  std::vector<std::string> warnings;
  RecoverAbandonedRuns(project, &warnings);
  for (const auto& w : warnings) observer.Warning(w);
  warnings.clear();

  // Params: params files < the command's own options < -p. Bad input fails
  // here, before anything is written.
  std::string cwd = CurrentDirectory();
  TRAIL_ASSIGN_OR_RETURN(Json params, record::ParamsFromFiles(cwd));
  if (request.params_from_args) record::MergeInto(params, record::ParamsFromArgs(request.argv));
  TRAIL_ASSIGN_OR_RETURN(Json cli_params, record::ParseAssignments(request.params, "-p", true));
  record::MergeInto(params, cli_params);
  TRAIL_ASSIGN_OR_RETURN(Json tags, record::ParseAssignments(request.tags, "--tag", false));

  TRAIL_ASSIGN_OR_RETURN(LiveRun run, AllocateRun(project));
  std::string uid = RandomUid();
  git::Identity who = project.user();
  double started = NowUnixSeconds();

  Json rec = Json::object();
  rec["trail"] = record::kFormatVersion;
  rec["id"] = run.id;
  rec["number"] = run.number;
  rec["uid"] = uid;
  if (!request.name.empty()) rec["name"] = request.name;
  rec["status"] = record::kRunning;
  Json user = Json::object();
  user["name"] = who.name;
  if (!who.email.empty()) user["email"] = who.email;
  rec["user"] = user;
  rec["started"] = FormatIsoTime(started);
  rec["command"] = request.argv;
  rec["cwd"] = RelativeTo(project.root(), cwd);
  rec["host"] = HostName();

  // The code snapshot is taken before the child starts: it is what ran.
  Json code = Json::object();
  code["entry_point"] = EntryPoint(request.argv, cwd, project.root());
  auto head = project.repo().Head();
  if (head.ok()) {
    if (!head->branch.empty()) code["branch"] = head->branch;
    if (!head->commit.empty()) code["commit"] = head->commit;
  }
  auto snap = project.repo().SnapshotWorktree(git::SnapshotOptions{}, "trail: code of " + run.id, who);
  if (!snap.ok() && snap.status().message().find("unsupported mandatory extension") != std::string::npos) {
    snap = project.repo().SnapshotWorktreeWithGitCli("trail: code of " + run.id, who);
  }
  if (snap.ok()) {
    std::string ref = "refs/trail/code/" + run.id;
    Status s = project.repo().SetRef(ref, snap->commit, "trail: code of " + run.id);
    code["snapshot"] = snap->commit;
    if (s.ok()) code["ref"] = ref;
    code["dirty"] = snap->dirty;
    if (!snap->changed.empty()) code["changed"] = snap->changed;
    if (!snap->skipped.empty()) code["skipped"] = snap->skipped;
  } else {
    warnings.push_back("code snapshot failed: " + snap.status().message());
  }
  rec["code"] = code;
  rec["params"] = params;
  rec["environment"] = CaptureEnvironment(request.argv, cwd, &warnings);
  if (!tags.empty()) rec["tags"] = tags;
  if (!warnings.empty()) rec["warnings"] = warnings;
  for (const auto& w : warnings) observer.Warning(w);
  warnings.clear();

  // Create the metrics file first so we hold a descriptor to fsync it.
  int metrics_fd = ::open(run.path("metrics.jsonl").c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (metrics_fd < 0) return IoError("cannot create " + run.path("metrics.jsonl") + ": " + std::strerror(errno));
  TRAIL_RETURN_IF_ERROR(WriteFileAtomic(run.path("start.yaml"), EmitYaml(rec)));
  observer.Started(run.id);

  run::ChildSpec spec;
  spec.argv = request.argv;
  spec.env = ChildEnvironment(run, project, uid);
  spec.keep_fds = {run.lock.fd()};  // the child keeps the run live if we die
  auto child = run::ChildProcess::Start(spec);
  std::optional<ExitInfo> exit;
  std::string tail;
  metrics::MetricSet live_set;
  metrics::MetricsTailer tailer(run.path("metrics.jsonl"), run.path("metrics.marks"));
  if (!child.ok()) {
    observer.Error(child.status().message());
    exit = ExitInfo{127, 0, NowUnixSeconds()};
    Json w = rec.value("warnings", Json::array());
    w.push_back(child.status().message());
    rec["warnings"] = w;
  } else {
    auto last_sync = std::chrono::steady_clock::now();
    run::ChildProcess& proc = **child;
    auto on_tick = [&] {
      (void)tailer.Poll(NowUnixSeconds(), live_set);
      auto now = std::chrono::steady_clock::now();
      if (now - last_sync >= std::chrono::seconds(1)) {
        last_sync = now;
        ::fsync(metrics_fd);
        (void)WriteFileAtomic(run.path("output.tail"), proc.OutputTail(), /*sync=*/false);
      }
    };
    run::ChildExit ce = proc.Wait(on_tick, std::chrono::milliseconds(100));
    exit = ExitInfo{ce.exit_code, ce.signaled ? ce.signal : 0, NowUnixSeconds()};
    tail = proc.OutputTail();
  }
  // Sync what the child wrote since the last periodic sync; an empty file
  // (most short runs) has nothing to lose.
  struct stat st;
  if (::fstat(metrics_fd, &st) == 0 && st.st_size > 0) ::fsync(metrics_fd);
  ::close(metrics_fd);
  Json exit_json = {{"exit_code", exit->exit_code}, {"signal", exit->signal}, {"ended", exit->ended}};
  // Not synced: it only matters if trail dies in the next few milliseconds,
  // and then the worst case is a run recorded as crashed instead of finished.
  (void)WriteFileAtomic(run.path("exit.json"), exit_json.dump(), /*sync=*/false);
  (void)WriteFileAtomic(run.path("output.tail"), tail, /*sync=*/false);

  TRAIL_ASSIGN_OR_RETURN(Json final_record, FinalizeRun(project, run, rec, exit, tail, LiveMetrics{&tailer, &live_set}, &warnings));
  for (const auto& w : warnings) observer.Warning(w);
  observer.Finished(final_record);
  RunOutcome out;
  out.id = run.id;
  out.exit_code = exit->signal ? 128 + exit->signal : exit->exit_code;
  return out;
}

}  // namespace trail
