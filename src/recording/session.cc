#include "recording/session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "base/clock.h"
#include "base/files.h"
#include "base/numbers.h"
#include "base/safe_path.h"
#include "base/text.h"
#include "metrics/protocol_line.h"
#include "record/live_files.h"
#include "record/params.h"
#include "record/record.h"
#include "recording/capture.h"
#include "recording/ended_run.h"
#include "recording/live_run.h"
#include "recording/model_summary.h"
#include "recording/rank_group.h"
#include "recording/recorder.h"
#include "recording/run_artifacts.h"
#include "recording/run_start.h"
#include "store/file_store.h"
#include "store/hash.h"
#include "store/local_store.h"
#include "store/presets.h"
#include "tracked/pointer.h"

namespace trail {
namespace {

constexpr size_t kMaxKeyBytes = 250;
constexpr const char* kCategories[] = {"regression loss", "classification loss", "neural network loss",
                                       "optimizer",       "activation",          "regularization"};

Status CheckName(std::string_view key, const char* what) {
  if (key.empty()) return InvalidArgument(std::string(what) + " name is empty");
  if (key.size() > kMaxKeyBytes) return InvalidArgument(std::string(what) + " name is longer than 250 bytes");
  if (!IsValidUtf8(key)) return InvalidArgument(std::string(what) + " name is not valid UTF-8");
  return Status::Ok();
}

Status CheckScalars(const Json& m, const char* what) {
  if (!m.is_object()) return InvalidArgument(std::string(what) + " must be a mapping of names to values");
  for (auto it = m.begin(); it != m.end(); ++it) {
    TRAIL_RETURN_IF_ERROR(CheckName(it.key(), what));
    const Json& v = it.value();
    if (!(v.is_string() || v.is_boolean() || v.is_number())) {
      return InvalidArgument(std::string(what) + " " + it.key() + ": expected a number, bool or string, got " +
                             v.type_name());
    }
    if (v.is_string() && !IsValidUtf8(v.get<std::string>())) {
      return InvalidArgument(std::string(what) + " " + it.key() + ": value is not valid UTF-8");
    }
  }
  return Status::Ok();
}

// TensorFlow's sharded variables: "<prefix>-00000-of-00001", as a TF1 session bundle's
// export-00000-of-00001 (the ".data-" shards of newer checkpoints end the same way).
bool IsShardName(std::string_view name) {
  const size_t of = name.rfind("-of-");
  if (of == std::string_view::npos || of + 4 == name.size()) return false;
  const size_t dash = name.rfind('-', of - 1);
  if (dash == std::string_view::npos || dash + 1 == of) return false;
  const auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  return digits(name.substr(dash + 1, of - dash - 1)) && digits(name.substr(of + 4));
}

}  // namespace

std::string GuessArtifactRole(std::string_view path) {
  // Case does not matter: a Windows-made MODEL.PT or Model.H5 is the same kind of file.
  std::string name(path.substr(path.find_last_of('/') == std::string_view::npos ? 0 : path.find_last_of('/') + 1));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (name == "saved_model.pb" || name == "saved_model.pbtxt") return "saved_model";
  if (name.ends_with(".meta")) return "meta_graph";
  if (name.find(".ckpt") != std::string::npos || name.ends_with(".index") || name.find(".data-") != std::string::npos ||
      name == "checkpoint" || IsShardName(name))
    return "checkpoint";
  if (name.ends_with(".tflite")) return "tflite";
  if (name.ends_with(".keras")) return "keras";
  if (name.ends_with(".h5") || name.ends_with(".hdf5")) return "h5";
  if (name.ends_with(".pt") || name.ends_with(".pth")) return "torch";
  if (name.ends_with(".onnx")) return "onnx";
  if (name.ends_with(".safetensors")) return "safetensors";
  if (name.ends_with(".joblib")) return "joblib";
  if (name.ends_with(".pkl") || name.ends_with(".pickle")) return "pickle";
  if (name.ends_with(".npz") || name.ends_with(".npy")) return "numpy";
  return "other";
}

class RunSession::Impl {
 public:
  ~Impl() { StopFlusher(); }

  // Started runs.
  std::unique_ptr<Project> project;
  // Joined runs: opened on first use, to store artifacts and data snapshots.
  std::unique_ptr<Project> joined_project;
  std::optional<LiveRun> live;
  Json start_record;
  // A rank of a multi-process job (rank_group.h): rank 0's group, or another rank's slot.
  std::optional<RankGroup> group;
  std::optional<AttachedRank> rank;
  // Both.
  std::string id;
  std::optional<int64_t> resume_step;
  std::string metrics_path, annotations_path, live_dir;
  bool joined = false;
  std::unique_ptr<WritableFile> metrics_file, annotations_file;

  std::mutex mu;
  struct Pending {
    uint32_t key;
    bool has_step;
    int64_t step;
    double time, value;
  };
  std::vector<Pending> pending;
  std::vector<std::string> keys;  // id -> JSON-quoted key
  std::unordered_map<std::string, size_t> key_ids;
  std::string annotations;  // lines not yet written
  bool ended = false;
  bool abandoned = false;

  std::mutex flush_mu;  // one Flush at a time; never held with mu while writing
  std::thread flusher;
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop = false;

  void StartFlusher() {
    flusher = std::thread([this] {
      std::unique_lock<std::mutex> lock(stop_mu);
      while (!stop_cv.wait_for(lock, std::chrono::seconds(1), [this] { return stop; })) {
        lock.unlock();
        (void)Flush();
        lock.lock();
      }
    });
  }

  void StopFlusher() {
    {
      std::lock_guard<std::mutex> lock(stop_mu);
      stop = true;
    }
    stop_cv.notify_all();
    if (flusher.joinable()) flusher.join();
  }

  size_t Intern(std::string_view key) {
    auto it = key_ids.find(std::string(key));
    if (it != key_ids.end()) return it->second;
    size_t id_ = keys.size();
    keys.push_back(Json(std::string(key)).dump());
    key_ids.emplace(std::string(key), id_);
    return id_;
  }

  void Annotate(const Json& line) {
    std::lock_guard<std::mutex> lock(mu);
    annotations += line.dump() + "\n";
  }

  Status Flush() {
    std::lock_guard<std::mutex> flush_lock(flush_mu);
    std::vector<Pending> points;
    std::string notes;
    std::vector<std::string> key_text;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (abandoned) return Status::Ok();
      points.swap(pending);
      notes.swap(annotations);
      key_text = keys;
    }
    if (!metrics_file && (!points.empty() || !notes.empty())) {
      // Closed by End(): as writing to a closed descriptor always said.
      return IoError("cannot write " + (points.empty() ? annotations_path : metrics_path) + ": " +
                     std::strerror(EBADF));
    }
    if (!points.empty()) {
      std::string out;
      out.reserve(points.size() * 48);
      for (const Pending& p : points) {
        metrics::AppendProtocolLine(&out, p.has_step ? std::optional<int64_t>(p.step) : std::nullopt, p.time,
                                    key_text[p.key], p.value);
      }
      TRAIL_RETURN_IF_ERROR(metrics_file->Append(out));
      (void)metrics_file->Sync();  // best effort, as always: a failed sync is not a lost write
    }
    if (!notes.empty()) {
      TRAIL_RETURN_IF_ERROR(annotations_file->Append(notes));
      (void)annotations_file->Sync();
    }
    return Status::Ok();
  }
};

RunSession::RunSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RunSession::~RunSession() {
  if (impl_ && !impl_->ended && !impl_->abandoned) (void)End("finished");
}

StatusOr<std::unique_ptr<RunSession>> RunSession::Start(const SessionOptions& opts) {
  TRAIL_RETURN_IF_ERROR(CheckScalars(opts.params, "param"));
  TRAIL_RETURN_IF_ERROR(CheckScalars(opts.tags, "tag"));
  std::string cwd = opts.cwd.empty() ? CurrentDirectory() : opts.cwd;
  auto impl = std::make_unique<Impl>();
  TRAIL_ASSIGN_OR_RETURN(impl->project, Project::Open(cwd));
  std::vector<std::string> warnings;
  RecoverAbandonedRuns(*impl->project, &warnings);
  // A rank of a job started with RANK/WORLD_SIZE (no `trail run`): rank 0 starts the run, the
  // others attach to it (docs/distributed.md). A nested or resumed run is this process's own.
  if (opts.resume.empty() && opts.parent.empty()) {
    TRAIL_ASSIGN_OR_RETURN(impl->group, DetectRankGroup("", std::getenv));
    if (impl->group && impl->group->rank != 0) return AttachToRank0(std::move(impl));
  }
  RunStart start;
  start.argv = opts.argv;
  start.cwd = cwd;
  start.name = opts.name;
  start.params = opts.params;
  start.resume = opts.resume;
  start.force = opts.force;
  start.parent = opts.parent;
  start.tags = Json::object();
  for (auto it = opts.tags.begin(); it != opts.tags.end(); ++it) start.tags[it.key()] = record::ScalarText(it.value());
  if (impl->group) start.ranks = RanksStartBlock(*impl->group);
  // Only the login node allocates runs when locks are node-local (recording/ended_run.h).
  if (RecordsInNodeLocalJob(*impl->project))
    return FailedPrecondition(
        "trail.start_run() inside a Slurm job with cluster.locks: node-local cannot allocate a run here (its locks "
        "do not hold between nodes); run the program under trail run --slurm (docs/cluster.md)");
  TRAIL_ASSIGN_OR_RETURN(BegunRun begun, BeginRun(*impl->project, start, &warnings));
  if (impl->group) TRAIL_RETURN_IF_ERROR(PublishGroupRun(*impl->project, *impl->group, begun.run.id));
  impl->id = begun.run.id;
  impl->resume_step = begun.resume_step;
  impl->live_dir = begun.run.dir;
  impl->start_record = std::move(begun.record);
  impl->live.emplace(std::move(begun.run));
  impl->metrics_path = impl->live->path(record::live::kMetricsFile);
  impl->annotations_path = impl->live->path(record::live::kAnnotationsFile);
  auto metrics_file = OpenLiveFile(*impl->live, record::live::kMetricsFile);
  auto annotations_file = OpenLiveFile(*impl->live, record::live::kAnnotationsFile);
  if (!metrics_file.ok() || !annotations_file.ok()) return IoError("cannot create files in " + impl->live_dir);
  impl->metrics_file = std::move(*metrics_file);
  impl->annotations_file = std::move(*annotations_file);
  impl->StartFlusher();
  return std::unique_ptr<RunSession>(new RunSession(std::move(impl)));
}

StatusOr<std::unique_ptr<RunSession>> RunSession::AttachToRank0(std::unique_ptr<Impl> impl) {
  TRAIL_ASSIGN_OR_RETURN(AttachedRank rank, AttachRank(*impl->project, *impl->group));
  impl->id = rank.id;
  impl->live_dir = rank.dir;
  impl->metrics_path = rank.metrics_path;
  impl->annotations_path = rank.annotations_path;  // rank 0's params and tags are the run's
  Env& env = *Env::Default();
  auto metrics_file = env.OpenForWrite(impl->metrics_path, OpenMode::kAppend);
  auto annotations_file = env.OpenForWrite(impl->annotations_path, OpenMode::kAppend);
  if (!metrics_file.ok()) return metrics_file.status();
  if (!annotations_file.ok()) return annotations_file.status();
  impl->metrics_file = std::move(*metrics_file);
  impl->annotations_file = std::move(*annotations_file);
  impl->rank.emplace(std::move(rank));
  impl->StartFlusher();
  return std::unique_ptr<RunSession>(new RunSession(std::move(impl)));
}

StatusOr<std::unique_ptr<RunSession>> RunSession::Join() {
  const char* id = std::getenv("TRAIL_RUN_ID");
  const char* metrics = std::getenv("TRAIL_METRICS");
  if (!id || !*id || !metrics || !*metrics) return NotFound("not running under trail run (TRAIL_RUN_ID is not set)");
  auto impl = std::make_unique<Impl>();
  impl->joined = true;
  impl->id = id;
  if (const char* resumed = std::getenv("TRAIL_RESUME"); resumed && std::string_view(resumed) == "1")
    impl->resume_step = ParseInt(std::getenv("TRAIL_RESUME_STEP") ? std::getenv("TRAIL_RESUME_STEP") : "").value_or(-1);
  impl->metrics_path = metrics;
  impl->live_dir = impl->metrics_path.substr(0, impl->metrics_path.find_last_of('/'));
  impl->annotations_path = JoinPath(impl->live_dir, record::live::kAnnotationsFile);
  // `trail run` made the folder and the metrics file durable; this process only appends.
  Env& env = *Env::Default();
  auto metrics_file = env.OpenForWrite(impl->metrics_path, OpenMode::kAppend);
  auto annotations_file = env.OpenForWrite(impl->annotations_path, OpenMode::kAppend);
  if (!metrics_file.ok() || !annotations_file.ok()) {
    const Status& failed = metrics_file.ok() ? annotations_file.status() : metrics_file.status();
    return IoError("cannot open the files of run " + impl->id + " in " + impl->live_dir + ": " + failed.message());
  }
  impl->metrics_file = std::move(*metrics_file);
  impl->annotations_file = std::move(*annotations_file);
  impl->StartFlusher();
  return std::unique_ptr<RunSession>(new RunSession(std::move(impl)));
}

const std::string& RunSession::id() const { return impl_->id; }
bool RunSession::joined() const { return impl_->joined; }
std::optional<int64_t> RunSession::resume_step() const { return impl_->resume_step; }

size_t RunSession::InternKey(std::string_view key) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->Intern(key);
}

void RunSession::LogMetricById(size_t key_id, double value, std::optional<int64_t> step) {
  double now = NowUnixSeconds();
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->pending.push_back({static_cast<uint32_t>(key_id), step.has_value(), step.value_or(0), now, value});
}

Status RunSession::LogMetric(std::string_view key, double value, std::optional<int64_t> step,
                             std::optional<double> time) {
  TRAIL_RETURN_IF_ERROR(CheckName(key, "metric"));
  if (key == "step" || key == "epoch" || key == "time" || key == "timestamp") {
    return InvalidArgument("metric name '" + std::string(key) + "' is reserved (pass it as step=)");
  }
  if (time && (!std::isfinite(*time) || *time < 0)) {
    return InvalidArgument("metric '" + std::string(key) + "': the time must be a finite number of seconds since 1970");
  }
  if (impl_->ended) return FailedPrecondition("run " + impl_->id + " has ended");
  const size_t key_id = InternKey(key);
  if (!time) {
    LogMetricById(key_id, value, step);
    return Status::Ok();
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->pending.push_back({static_cast<uint32_t>(key_id), step.has_value(), step.value_or(0), *time, value});
  return Status::Ok();
}

Status RunSession::LogParams(const Json& params) {
  TRAIL_RETURN_IF_ERROR(CheckScalars(params, "param"));
  if (impl_->ended) return FailedPrecondition("run " + impl_->id + " has ended");
  Json masked = params;
  record::MaskSecretParams(masked);
  impl_->Annotate(Json{{"params", masked}});
  return Status::Ok();
}

Status RunSession::SetTags(const Json& tags) {
  TRAIL_RETURN_IF_ERROR(CheckScalars(tags, "tag"));
  if (impl_->ended) return FailedPrecondition("run " + impl_->id + " has ended");
  Json strings = Json::object();
  for (auto it = tags.begin(); it != tags.end(); ++it) strings[it.key()] = record::ScalarText(it.value());
  impl_->Annotate(Json{{"tags", strings}});
  return Status::Ok();
}

Status RunSession::DeleteTag(std::string_view key) {
  TRAIL_RETURN_IF_ERROR(CheckName(key, "tag"));
  if (impl_->ended) return FailedPrecondition("run " + impl_->id + " has ended");
  impl_->Annotate(Json{{"tags", Json{{std::string(key), nullptr}}}});
  return Status::Ok();
}

Status RunSession::LogFunction(std::string_view category, std::string_view name) {
  bool known = false;
  for (const char* c : kCategories) known = known || category == c;
  if (!known) {
    return InvalidArgument("unknown function category '" + std::string(category) +
                           "' (expected regression loss, classification loss, neural network loss, optimizer, "
                           "activation or regularization)");
  }
  TRAIL_RETURN_IF_ERROR(CheckName(name, "function"));
  impl_->Annotate(Json{{"function", Json{{"category", std::string(category)}, {"name", std::string(name)}}}});
  return Status::Ok();
}

Status RunSession::SetSeed(int64_t seed) {
  if (seed < 0 || seed > kMaxSeed) {
    return InvalidArgument("seed " + std::to_string(seed) + ": expected an integer from 0 to " +
                           std::to_string(kMaxSeed) + " (the range of PYTHONHASHSEED)");
  }
  if (impl_->ended) return FailedPrecondition("run " + impl_->id + " has ended");
  impl_->Annotate(Json{{"seed", seed}});
  return Status::Ok();
}

// The project a session stores content into: its own, or (joined) the one `trail run` named.
StatusOr<Project*> RunSession::StoreProject() {
  if (impl_->project) return impl_->project.get();
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->joined_project) {
    const char* root = std::getenv("TRAIL_PROJECT_ROOT");
    if (!root || !*root) return FailedPrecondition("no project to store into (TRAIL_PROJECT_ROOT is not set)");
    TRAIL_ASSIGN_OR_RETURN(impl_->joined_project, Project::Open(root));
  }
  return impl_->joined_project.get();
}

Status RunSession::LogArtifact(const std::string& path, std::string_view role, std::string_view name) {
  if (!name.empty()) TRAIL_RETURN_IF_ERROR(CheckRelativePath(name, "artifact path", /*outside_repo_dirs=*/true));
  std::string full = !path.empty() && path[0] == '/' ? path : JoinPath(CurrentDirectory(), path);
  while (full.size() > 1 && full.back() == '/') full.pop_back();
  const bool saved_model = IsSavedModelDir(full);
  if (!PathExists(full) || (IsDirectory(full) && !saved_model))
    return NotFound("no file " + path + " to record as an artifact (of folders, only a SavedModel is one)");
  // The annotation is JSON, which holds UTF-8 only (an invalid name would throw on the way out).
  if (!IsValidUtf8(full))
    return InvalidArgument(EscapeForMessage(path) +
                           ": the name is not valid UTF-8; rename it to record it as an artifact");
  TRAIL_ASSIGN_OR_RETURN(Project * project, StoreProject());
  // Stored now, not at the end: the program may overwrite the file (the next checkpoint). The
  // annotation names it before the store's lock is let go; gc reads live runs' annotations.
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st,
                         store::LocalStore::OpenForWriting(project->store_dir()));
  if (saved_model) {
    const std::string recorded = name.empty() ? RelativeTo(project->root(), full) : std::string(name);
    TRAIL_ASSIGN_OR_RETURN(Json a, StoreSavedModel(*st, full, recorded));
    TRAIL_RETURN_IF_ERROR(st->Flush());
    if (!role.empty()) a["role"] = std::string(role);
    impl_->Annotate(Json{{"artifact", a}});
    return impl_->Flush();
  }
  TRAIL_ASSIGN_OR_RETURN(store::FileManifest m, store::StoreFile(*st, full, store::ChunkingFor(full)));
  Json a = Json::object();
  a["path"] = name.empty() ? RelativeTo(project->root(), full) : std::string(name);
  a["role"] = role.empty() ? GuessArtifactRole(full) : std::string(role);
  a["size"] = m.size;
  a["oid"] = OidString(m.id);
  SummarizeModelArtifact(full, a, nullptr);  // fail-soft: an unreadable model keeps model.error
  impl_->Annotate(Json{{"artifact", a}});
  return impl_->Flush();
}

Status RunSession::LogData(const std::string& role, const std::string& source, const DataOptions& options,
                           const std::string& label) {
  TRAIL_ASSIGN_OR_RETURN(Project * project, StoreProject());
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st,
                         store::LocalStore::OpenForWriting(project->store_dir()));
  TRAIL_ASSIGN_OR_RETURN(
      Json data, RecordDataInputs(*project, *st, {DataInput{role, source, label}}, options, CurrentDirectory()));
  for (const Json& d : data) impl_->Annotate(Json{{"data", d}});
  return impl_->Flush();
}

Status RunSession::Flush() { return impl_->Flush(); }

StatusOr<Json> RunSession::End(std::string_view status) {
  if (impl_->ended || impl_->abandoned) return Json::object();
  impl_->ended = true;
  impl_->StopFlusher();
  Status flushed = impl_->Flush();
  impl_->metrics_file.reset();
  impl_->annotations_file.reset();
  TRAIL_RETURN_IF_ERROR(flushed);
  if (impl_->joined) return Json::object();
  ExitInfo exit;
  exit.ended = impl_->project->env().NowUnixSeconds();
  if (status == "failed")
    exit.exit_code = 1;
  else if (status == "killed")
    exit.signal = 9;
  else if (status != "finished")
    return InvalidArgument("unknown end status '" + std::string(status) + "' (expected finished, failed or killed)");
  // Another rank: its fate goes to rank 0, which records the run.
  if (impl_->rank) {
    TRAIL_RETURN_IF_ERROR(EndRank(*impl_->rank, exit));
    return Json::object();
  }
  if (impl_->group) {
    // Rank 0: the run ends when every rank has (docs/distributed.md).
    const double started = ParseIsoTime(record::GetString(impl_->start_record, "started")).value_or(exit.ended);
    RanksOutcome ranks =
        WaitForRanks(*impl_->live, *impl_->group, exit, started, !impl_->project->node_local_locks(), [] {});
    AddRanksOutcome(impl_->start_record, ranks);
    if (ranks.run_exit) exit = *ranks.run_exit;
  }
  std::vector<std::string> warnings;
  auto record = FinalizeRun(*impl_->project, *impl_->live, impl_->start_record,
                            FinalizeOptions{exit, "", LiveMetrics{}, &warnings});
  if (impl_->group) RetireGroupRun(*impl_->project, *impl_->group, impl_->id);
  return record;
}

void RunSession::AbandonInChild() {
  // A forked child has one thread: the flusher is gone and any mutex it held
  // at the fork stays locked forever, so touch no lock and no buffer. The
  // caller leaks the session; the parent flushes and finalizes the run.
  impl_->abandoned = true;
  impl_->ended = true;
  if (impl_->flusher.joinable()) impl_->flusher.detach();
  if (impl_->live) impl_->live->lock.CloseWithoutUnlock();  // the parent's lock stays held
  if (impl_->rank) impl_->rank->lock.CloseWithoutUnlock();
}

}  // namespace trail
