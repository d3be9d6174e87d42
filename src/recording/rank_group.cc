#include "recording/rank_group.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "base/clock.h"
#include "base/files.h"
#include "base/numbers.h"
#include "base/sha256.h"
#include "metrics/tailer.h"
#include "process/child_process.h"
#include "process/program.h"
#include "record/live_files.h"
#include "record/record.h"

namespace trail {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(100);

std::string RankFile(int rank, const char* what) { return "rank" + std::to_string(rank) + "." + what; }

// A variable that must be an integer when set; empty when unset or empty.
StatusOr<std::optional<int64_t>> IntVariable(const GetEnv& getenv, const char* name) {
  const char* v = getenv(name);
  if (!v || !*v) return std::optional<int64_t>();
  std::optional<int64_t> n = ParseInt(v);
  if (!n) return InvalidArgument(std::string(name) + "=" + v + ": expected an integer");
  return n;
}

std::string Variable(const GetEnv& getenv, const char* name) {
  const char* v = getenv(name);
  return v ? std::string(v) : std::string();
}

// .trail/groups/<hash>: names the run of the group with this key. The key itself can be any
// text a launcher chose; the file name is its hash.
std::string GroupFile(Project& project, const std::string& key) {
  return JoinPath(JoinPath(project.state_dir(), "groups"), ToHex(Sha256Of(key)).substr(0, 32));
}

// The run the group's file names, when it is this key's and the run is live here.
std::optional<std::string> LiveGroupRun(Project& project, const RankGroup& group) {
  auto text = ReadFile(GroupFile(project, group.key));
  if (!text.ok()) return std::nullopt;
  Json j = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("key", "") != group.key || !j["run"].is_string()) return std::nullopt;
  const std::string id = j["run"].get<std::string>();
  if (!IsRunFolder(id) || id.find('/') != std::string::npos) return std::nullopt;
  if (!PathExists(JoinPath(JoinPath(project.live_dir(), id), record::live::kStartFile))) return std::nullopt;
  return id;
}

// What a rank's exit record says, as a record status.
std::string StatusOf(const ExitInfo& e) {
  if (e.signal != 0) return record::kKilled;
  return e.exit_code == 0 ? record::kFinished : record::kFailed;
}

std::string Failure(int rank, const std::string& status, const ExitInfo& e, double timeout_s) {
  const std::string who = "rank " + std::to_string(rank);
  if (status == record::kKilled) return who + " was killed by signal " + std::to_string(e.signal);
  if (status == record::kFailed) return who + " exited with code " + std::to_string(e.exit_code);
  if (status == "missing")
    return who + " did not arrive within " + std::to_string(static_cast<int64_t>(timeout_s)) +
           " s (TRAIL_RANK_TIMEOUT)";
  return who + "'s trail run died before its program ended";
}

std::optional<ExitInfo> ReadRankExit(const LiveRun& run, int rank) {
  auto text = ReadFile(run.path(RankFile(rank, "exit.json").c_str()));
  if (!text.ok()) return std::nullopt;
  Json j = Json::parse(*text, nullptr, false);
  if (!j.is_object() || !j["exit_code"].is_number_integer() || !j["signal"].is_number_integer()) return std::nullopt;
  ExitInfo e;
  e.exit_code = j["exit_code"].get<int>();
  e.signal = j["signal"].get<int>();
  e.ended = j.value("ended", 0.0);
  return e;
}

}  // namespace

StatusOr<std::optional<RankGroup>> DetectRankGroup(const std::string& explicit_group, const GetEnv& getenv) {
  RankGroup g;
  std::string group = explicit_group.empty() ? Variable(getenv, "TRAIL_RUN_GROUP") : explicit_group;
  TRAIL_ASSIGN_OR_RETURN(std::optional<int64_t> rank, IntVariable(getenv, "RANK"));
  TRAIL_ASSIGN_OR_RETURN(std::optional<int64_t> world, IntVariable(getenv, "WORLD_SIZE"));
  const char* rank_name = "RANK";
  const char* world_name = "WORLD_SIZE";
  if (rank.has_value() != world.has_value())
    return InvalidArgument(std::string(rank ? "RANK" : "WORLD_SIZE") + " is set but " + (rank ? "WORLD_SIZE" : "RANK") +
                           " is not: a rank needs both (docs/distributed.md)");
  if (!rank && !Variable(getenv, "SLURM_STEP_ID").empty()) {
    // A task of `srun` (a job step); a batch script has no step id, and is one process.
    rank_name = "SLURM_PROCID";
    TRAIL_ASSIGN_OR_RETURN(rank, IntVariable(getenv, rank_name));
    world_name = Variable(getenv, "SLURM_STEP_NUM_TASKS").empty() ? "SLURM_NTASKS" : "SLURM_STEP_NUM_TASKS";
    TRAIL_ASSIGN_OR_RETURN(world, IntVariable(getenv, world_name));
    if (!rank || !world) return std::optional<RankGroup>();
  }
  if (!rank) {
    if (!group.empty())
      return InvalidArgument("--group " + group + ": RANK and WORLD_SIZE are not set, so this process is no rank");
    return std::optional<RankGroup>();
  }
  if (*world < 1 || *world > kMaxWorldSize)
    return InvalidArgument(std::string(world_name) + "=" + std::to_string(*world) + ": expected 1 to " +
                           std::to_string(kMaxWorldSize));
  if (*rank < 0 || *rank >= *world)
    return InvalidArgument(std::string(rank_name) + "=" + std::to_string(*rank) + " is not below " + world_name + "=" +
                           std::to_string(*world));
  if (*world == 1) return std::optional<RankGroup>();
  g.rank = static_cast<int>(*rank);
  g.world_size = static_cast<int>(*world);
  const std::string torch_id = Variable(getenv, "TORCHELASTIC_RUN_ID");
  const std::string job = Variable(getenv, "SLURM_JOB_ID"), step = Variable(getenv, "SLURM_STEP_ID");
  const std::string addr = Variable(getenv, "MASTER_ADDR"), port = Variable(getenv, "MASTER_PORT");
  if (!group.empty()) {
    g.key = group;
    g.launcher = "explicit";
  } else if (!torch_id.empty() && torch_id != "none") {
    g.key = "torchrun:" + torch_id;
    g.launcher = "torchrun";
  } else if (!job.empty()) {
    g.key = "slurm:" + job + "." + (step.empty() ? "batch" : step);
    g.launcher = "slurm";
  } else if (!addr.empty() && !port.empty()) {
    g.key = "env:" + addr + ":" + port;
    g.launcher = "env";
  } else {
    return InvalidArgument(std::string(rank_name) + " and " + world_name +
                           " are set but nothing names the job its ranks share (TORCHELASTIC_RUN_ID, "
                           "SLURM_JOB_ID, MASTER_ADDR and MASTER_PORT are not): give --group KEY or TRAIL_RUN_GROUP");
  }
  if (const char* t = getenv("TRAIL_RANK_TIMEOUT"); t && *t) {
    std::optional<double> s = ParseDouble(t);
    if (!s || !(*s > 0) || *s > 86400 * 7)
      return InvalidArgument(std::string("TRAIL_RANK_TIMEOUT=") + t + ": expected seconds, above 0");
    g.timeout_s = *s;
  }
  return std::optional<RankGroup>(g);
}

Json RanksStartBlock(const RankGroup& group) {
  return Json{{"world_size", group.world_size}, {"group", group.key}, {"launcher", group.launcher}};
}

Status PublishGroupRun(Project& project, const RankGroup& group, const std::string& id) {
  const std::string file = GroupFile(project, group.key);
  TRAIL_RETURN_IF_ERROR(MakeDirs(file.substr(0, file.find_last_of('/'))));
  return WriteFileAtomic(file, Json{{"key", group.key}, {"run", id}}.dump() + "\n");
}

void RetireGroupRun(Project& project, const RankGroup& group, const std::string& id) {
  const std::string file = GroupFile(project, group.key);
  auto text = ReadFile(file);
  if (!text.ok()) return;
  Json j = Json::parse(*text, nullptr, false);
  if (j.is_object() && j.value("run", "") == id) ::unlink(file.c_str());
}

RanksOutcome WaitForRanks(const LiveRun& run, const RankGroup& group, const ExitInfo& own, double started,
                          bool locks_hold, const std::function<void()>& tick) {
  RanksOutcome out;
  out.status.assign(group.world_size, "");
  out.status[0] = StatusOf(own);
  std::vector<std::optional<ExitInfo>> exits(group.world_size);
  exits[0] = own;
  // Slots of ranks that never came: held until the run is finalized, so a latecomer cannot
  // attach to a run that has given up on it.
  std::vector<FileLock> given_up;
  for (;;) {
    bool waiting = false;
    for (int r = 1; r < group.world_size; ++r) {
      if (!out.status[r].empty()) continue;
      if ((exits[r] = ReadRankExit(run, r))) {
        out.status[r] = StatusOf(*exits[r]);
        continue;
      }
      const std::string lock_path = run.path(RankFile(r, "lock").c_str());
      if (PathExists(lock_path)) {
        if (!locks_hold) {
          waiting = true;
          continue;
        }
        auto probe = FileLock::TryAcquire(lock_path, /*create=*/false);
        if (probe.ok() && probe->held()) {
          // Free: the rank ended, or died. Its exit record is written before the lock goes.
          exits[r] = ReadRankExit(run, r);
          out.status[r] = exits[r] ? StatusOf(*exits[r]) : std::string(record::kCrashed);
          continue;
        }
      } else if (NowUnixSeconds() > started + group.timeout_s) {
        auto slot = FileLock::TryAcquire(lock_path);
        if (slot.ok() && slot->held()) {
          out.status[r] = "missing";
          given_up.push_back(std::move(*slot));
          continue;
        }
      }
      waiting = true;
    }
    if (!waiting) break;
    tick();
    std::this_thread::sleep_for(kPoll);
  }
  // The slots given up on stay taken: the locks are released on return, but the files stay and
  // no exit record follows, and the live folder goes with the finalized run.
  //
  // The rank that failed first names the failure: a launcher that ends the whole step when one
  // task fails (srun --kill-on-bad-exit, torchrun) kills the others after it, rank 0 included.
  // A rank's time is when its program ended; a missing rank's, the arrival deadline; a crashed
  // one's, now (it was seen after rank 0's program ended).
  int first = -1;
  double first_when = 0;
  for (int r = 0; r < group.world_size; ++r) {
    if (out.status[r] == record::kFinished) continue;
    double when = exits[r] ? exits[r]->ended : NowUnixSeconds();
    if (out.status[r] == "missing") when = started + group.timeout_s;
    if (first < 0 || when < first_when) {
      first = r;
      first_when = when;
    }
  }
  if (first < 0) return out;
  const ExitInfo e = exits[first].value_or(ExitInfo{});
  out.failed = Failure(first, out.status[first], e, group.timeout_s);
  // The run keeps rank 0's own outcome when its program failed too, unless the first failure was
  // another rank's own doing (not a signal: cancelling a job signals every rank at once).
  const bool own_failed = out.status[0] != record::kFinished;
  if (first == 0 || (own_failed && out.status[first] == record::kKilled)) return out;
  ExitInfo failure;
  failure.ended = NowUnixSeconds();
  // The run fails (not killed) whichever way a rank went: the rank's own code when it has one.
  failure.exit_code = e.signal ? 128 + e.signal : (e.exit_code ? e.exit_code : 1);
  out.run_exit = failure;
  return out;
}

void AddRanksOutcome(Json& rec, const RanksOutcome& outcome) {
  Json block = rec.contains("ranks") && rec["ranks"].is_object() ? rec["ranks"] : Json::object();
  block["status"] = outcome.status;
  if (!outcome.failed.empty()) block["failed"] = outcome.failed;
  rec["ranks"] = block;
}

void AddRankMetrics(const LiveRun& run, double ended, metrics::MetricSet& set, std::vector<std::string>* warnings) {
  std::map<int, std::string> files;  // rank -> metrics file, in rank order
  for (const std::string& name : ListDirectory(run.dir)) {
    static constexpr std::string_view kSuffix = ".metrics.jsonl";
    if (!name.starts_with("rank") || !name.ends_with(kSuffix)) continue;
    std::optional<int64_t> r = ParseInt(std::string_view(name).substr(4, name.size() - 4 - kSuffix.size()));
    if (!r || *r < 1 || *r >= kMaxWorldSize || name != RankFile(static_cast<int>(*r), "metrics.jsonl")) continue;
    files[static_cast<int>(*r)] = name;
  }
  for (const auto& [rank, name] : files) {
    metrics::MetricSet own;
    metrics::MetricsTailer reader(run.path(name.c_str()));
    Status read = reader.Finish(ended, own);
    const std::string prefix = "rank" + std::to_string(rank) + "/";
    for (const std::string& key : own.Keys())
      for (const auto& p : *own.Series(key)) set.Add(prefix + key, p.step, p.time, p.value);
    if (!warnings) continue;
    if (!read.ok()) warnings->push_back("rank " + std::to_string(rank) + ": " + read.message());
    for (const std::string& w : reader.warnings())
      warnings->push_back("rank " + std::to_string(rank) + " TRAIL_METRICS " + w);
  }
}

StatusOr<AttachedRank> AttachRank(Project& project, const RankGroup& group) {
  const double deadline = NowUnixSeconds() + group.timeout_s;
  std::optional<std::string> id;
  while (!(id = LiveGroupRun(project, group))) {
    if (NowUnixSeconds() > deadline)
      return FailedPrecondition("rank " + std::to_string(group.rank) + " of " + group.key +
                                ": rank 0 started no run within " +
                                std::to_string(static_cast<int64_t>(group.timeout_s)) +
                                " s (TRAIL_RANK_TIMEOUT); every rank runs under trail run (docs/distributed.md)");
    std::this_thread::sleep_for(kPoll);
  }
  AttachedRank out;
  out.id = *id;
  out.rank = group.rank;
  out.dir = JoinPath(project.live_dir(), *id);
  const std::string start_path = JoinPath(out.dir, record::live::kStartFile);
  TRAIL_ASSIGN_OR_RETURN(std::string start, ReadFile(start_path));
  TRAIL_ASSIGN_OR_RETURN(Json rec, ParseYaml(start, start_path));
  out.uid = record::GetString(rec, "uid");
  // This rank's slot: locked under a private name, then linked into place, so rank 0 never
  // sees the slot's file unlocked; link() refuses when the slot is taken.
  const std::string lock_path = JoinPath(out.dir, RankFile(group.rank, "lock"));
  const std::string temp = lock_path + "." + std::to_string(::getpid()) + ".new";
  TRAIL_ASSIGN_OR_RETURN(out.lock, FileLock::TryAcquire(temp));
  const int linked = ::link(temp.c_str(), lock_path.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST)
      return FailedPrecondition("rank " + std::to_string(group.rank) + " cannot join run " + *id +
                                ": its slot is taken (another process is rank " + std::to_string(group.rank) +
                                ", or rank 0 stopped waiting for it)");
    return IoError("cannot create " + lock_path + ": " + std::strerror(link_errno));
  }
  out.metrics_path = JoinPath(out.dir, RankFile(group.rank, "metrics.jsonl"));
  out.annotations_path = JoinPath(out.dir, RankFile(group.rank, "annotations.jsonl"));
  int fd = ::open(out.metrics_path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create " + out.metrics_path + ": " + std::strerror(errno));
  ::close(fd);
  (void)SyncDirectory(out.dir);
  return out;
}

Status EndRank(AttachedRank& rank, const ExitInfo& exit) {
  // Before the slot's lock goes: a free lock without an exit record means this rank died.
  Status written = WriteFileAtomic(
      JoinPath(rank.dir, RankFile(rank.rank, "exit.json")),
      Json{{"exit_code", exit.exit_code}, {"signal", exit.signal}, {"ended", exit.ended}}.dump() + "\n");
  rank.lock.Release();
  return written;
}

StatusOr<RankRun> RecordRank(Project& project, const RankGroup& group, const std::vector<std::string>& argv,
                             const std::string& cwd, const std::vector<std::string>& env_overrides,
                             const std::function<void(const std::string& id)>& attached) {
  TRAIL_ASSIGN_OR_RETURN(AttachedRank rank, AttachRank(project, group));
  int metrics_fd = ::open(rank.metrics_path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (metrics_fd < 0) return IoError("cannot open " + rank.metrics_path + ": " + std::strerror(errno));
  attached(rank.id);

  process::ChildSpec spec;
  spec.argv = argv;
  std::vector<std::string> drop = {"TRAIL_METRICS=", "TRAIL_RUN_ID=", "TRAIL_RUN_UID=", "TRAIL_PROJECT_ROOT="};
  for (const std::string& o : env_overrides) drop.push_back(o.substr(0, o.find('=') + 1));
  spec.env = process::CurrentEnvironmentWithout(drop);
  for (const std::string& o : env_overrides)
    if (!o.starts_with("TRAIL_METRICS=") && !o.starts_with("TRAIL_RUN_")) spec.env.push_back(o);
  spec.env.push_back("TRAIL_METRICS=" + rank.metrics_path);
  spec.env.push_back("TRAIL_RUN_ID=" + rank.id);
  spec.env.push_back("TRAIL_RUN_UID=" + rank.uid);
  spec.env.push_back("TRAIL_PROJECT_ROOT=" + project.root());
  spec.cwd = cwd;
  spec.keep_fds = {rank.lock.fd()};  // the child keeps the slot taken if this process dies
  ExitInfo exit;
  auto child = process::ChildProcess::Start(spec);
  if (!child.ok()) {
    exit.exit_code = child.status().code() == Code::kNotFound ? 127 : 126;
  } else {
    auto last_sync = std::chrono::steady_clock::now();
    process::ChildExit ce = (*child)->Wait(
        [&] {
          if (std::chrono::steady_clock::now() - last_sync < std::chrono::seconds(1)) return;
          last_sync = std::chrono::steady_clock::now();
          ::fsync(metrics_fd);
        },
        kPoll);
    exit.exit_code = ce.signaled ? 0 : ce.exit_code;
    exit.signal = ce.signaled ? ce.signal : 0;
  }
  exit.ended = NowUnixSeconds();
  ::fsync(metrics_fd);
  ::close(metrics_fd);
  TRAIL_RETURN_IF_ERROR(EndRank(rank, exit));
  if (!child.ok()) return child.status();
  RankRun out;
  out.id = rank.id;
  out.exit_code = exit.signal ? 128 + exit.signal : exit.exit_code;
  return out;
}

}  // namespace trail
