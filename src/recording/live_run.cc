#include "recording/live_run.h"

#include "tracked/pointer.h"
#include "recording/run_artifacts.h"
#include "store/file_store.h"
#include "store/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <cmath>

#include "metrics/metric_set.h"
#include "recording/file_metrics.h"
#include "project/metrics_config.h"
#include "metrics/derived.h"
#include "metrics/series_tsv.h"
#include "metrics/tailer.h"
#include "metrics/time_marks.h"
#include "record/live_files.h"
#include "record/record.h"
#include "base/clock.h"
#include "base/numbers.h"

namespace trail {
namespace {

constexpr const char* kCounterFile = "counter";

}  // namespace

int64_t MaxRunNumberIn(Project& project, const std::string& commit) {
  auto shards = project.repo().ListDir(commit, record::kRunsDir);
  if (!shards.ok() || shards->empty()) return 0;
  // Only the highest shard can hold the highest number: cost does not grow with the run count.
  std::string top;
  int64_t top_value = -1;
  for (const auto& e : *shards) {
    auto v = ParseInt(e.name);
    if (e.is_tree && v && *v > top_value) {
      top_value = *v;
      top = e.name;
    }
  }
  if (top.empty()) return 0;
  auto runs = project.repo().ListDir(commit, std::string(record::kRunsDir) + "/" + top);
  int64_t best = 0;
  if (runs.ok()) {
    for (const auto& e : *runs) best = std::max(best, record::RunNumberOf(e.name).value_or(0));
  }
  return best;
}

namespace {

int64_t MaxNumberOnBranch(Project& project) {
  auto tip = project.repo().ResolveRef(project.runs_ref());
  if (!tip.ok() || !*tip) return 0;
  return MaxRunNumberIn(project, **tip);
}

double FileMtime(const std::string& path, double fallback) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return fallback;
  return static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
}

// Applies what the program logged through the Python client. A line cut
// short by a crash, or otherwise unreadable, is skipped.
void MergeAnnotations(const std::string& path, Json& rec) {
  auto text = ReadFile(path);
  if (!text.ok() || text->empty()) return;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) break;
    Json line = Json::parse(text->substr(start, end - start), nullptr, /*allow_exceptions=*/false);
    start = end + 1;
    if (!line.is_object()) continue;
    for (const char* key : {"params", "tags"}) {
      if (!line.contains(key) || !line[key].is_object()) continue;
      if (!rec.contains(key) || !rec[key].is_object()) rec[key] = Json::object();
      for (auto it = line[key].begin(); it != line[key].end(); ++it) rec[key][it.key()] = it.value();
    }
    if (line.contains("function") && line["function"].is_object()) {
      if (!rec.contains("functions") || !rec["functions"].is_array()) rec["functions"] = Json::array();
      const Json& f = line["function"];
      bool seen = false;
      for (auto& existing : rec["functions"]) {
        if (existing.value("category", "") == f.value("category", "") && existing.value("name", "") == f.value("name", "")) {
          seen = true;
          if (!existing.contains("found")) existing["found"] = Json::array();
          existing["found"].push_back("log_function");
        }
      }
      if (!seen) {
        Json entry = f;
        entry["found"] = Json::array({"log_function"});
        rec["functions"].push_back(entry);
      }
    }
    if (line.contains("data") && line["data"].is_object()) {
      if (!rec.contains("data") || !rec["data"].is_array()) rec["data"] = Json::array();
      rec["data"].push_back(line["data"]);
    }
    if (line.contains("artifact") && line["artifact"].is_object()) {
      if (!rec.contains("artifacts") || !rec["artifacts"].is_array()) rec["artifacts"] = Json::array();
      rec["artifacts"].push_back(line["artifact"]);
    }
  }
}

// Adds to `into` every series of `from` whose name `into` lacks, and notes
// where it came from in `sources` (name -> source).
void MergeMissingSeries(metrics::MetricSet& into, const metrics::MetricSet& from, const std::string& source,
                        Json& sources) {
  for (const auto& key : from.Keys()) {
    if (into.Series(key) != nullptr) continue;
    for (const auto& p : *from.Series(key)) into.Add(key, p.step, p.time, p.value);
    sources[key] = source;
  }
}

std::string StatusFor(const std::optional<ExitInfo>& exit) {
  if (!exit) return record::kCrashed;
  if (exit->signal != 0) return record::kKilled;
  return exit->exit_code == 0 ? record::kFinished : record::kFailed;
}

// Live folders being created or removed have a leading dot and are not runs.
bool IsRunFolder(const std::string& name) { return !name.empty() && name[0] != '.' && record::RunNumberOf(name); }

// Removes a finished run's live folder. It is first renamed out of the way,
// atomically, so a concurrent reader sees either the whole run or nothing.
Status RemoveLiveFolder(const std::string& dir) {
  std::string slash_parent = dir.substr(0, dir.find_last_of('/'));
  std::string doomed = JoinPath(slash_parent, record::live::kRemovingPrefix +
                                                  dir.substr(dir.find_last_of('/') + 1) + "-" +
                                                  std::to_string(::getpid()));
  if (::rename(dir.c_str(), doomed.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("cannot remove " + dir + ": " + std::strerror(errno));
  }
  return RemoveAll(doomed);
}

int64_t NextNumber(Project& project) {
  std::string counter_path = JoinPath(project.shared_dir(), kCounterFile);
  int64_t last = 0;
  if (auto text = ReadFile(counter_path); text.ok()) {
    std::string t = *text;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
    last = ParseInt(t).value_or(0);
  }
  last = std::max(last, MaxNumberOnBranch(project));
  for (const auto& name : ListDirectory(project.live_dir())) {
    if (IsRunFolder(name)) last = std::max(last, record::RunNumberOf(name).value_or(0));
  }
  return last + 1;
}

Status SaveCounter(Project& project, int64_t number) {
  // Not synced: the live folder and the branch also hold the number.
  return WriteFileAtomic(JoinPath(project.shared_dir(), kCounterFile), std::to_string(number) + "\n",
                         /*sync=*/false);
}

}  // namespace

void DropCodeRefIfOurs(Project& project, const std::string& old_id, const std::string& snapshot) {
  const std::string ref = "refs/trail/code/" + old_id;
  auto at = project.repo().ResolveRef(ref);
  if (at.ok() && *at && **at == snapshot) (void)project.repo().DeleteRef(ref);
}

StatusOr<int64_t> TakeRunNumberLocked(Project& project, int64_t floor) {
  const int64_t number = std::max(NextNumber(project), floor + 1);
  TRAIL_RETURN_IF_ERROR(SaveCounter(project, number));
  return number;
}

StatusOr<LiveRun> AllocateRun(Project& project) {
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, project.LockWriters());
  LiveRun run;
  run.number = NextNumber(project);
  run.id = record::MakeRunId(project.name(), run.number);
  run.dir = JoinPath(project.live_dir(), run.id);
  // Build the folder under a hidden name with its lock held, then rename it
  // into place: nobody ever sees a live folder whose lock is free.
  std::string staging = JoinPath(project.live_dir(), record::live::kCreatingPrefix + run.id + "-" +
                                                         std::to_string(::getpid()));
  TRAIL_RETURN_IF_ERROR(MakeDirs(staging));
  TRAIL_ASSIGN_OR_RETURN(run.lock, FileLock::Acquire(JoinPath(staging, record::live::kLockFile)));
  if (::rename(staging.c_str(), run.dir.c_str()) != 0) {
    Status s = IoError("cannot create " + run.dir + ": " + std::strerror(errno));
    (void)RemoveAll(staging);
    return s;
  }
  TRAIL_RETURN_IF_ERROR(SaveCounter(project, run.number));
  return run;
}

namespace {

// exit.json is under 100 bytes; trailing blanks are valid JSON whitespace.
constexpr size_t kExitReserveBytes = 256;

}  // namespace

Status ReserveExitRecord(const LiveRun& run) {
  return WriteFileAtomic(run.path(record::live::kExitReserveFile), std::string(kExitReserveBytes, ' '), /*sync=*/false);
}

Status WriteExitRecord(const LiveRun& run, const ExitInfo& exit) {
  std::string text = Json{{"exit_code", exit.exit_code}, {"signal", exit.signal}, {"ended", exit.ended}}.dump();
  // Not synced: it only matters if trail dies in the next few milliseconds,
  // and then the worst case is a run recorded as crashed instead of finished.
  Status written = WriteFileAtomic(run.path(record::live::kExitFile), text, /*sync=*/false);
  if (written.ok() || text.size() > kExitReserveBytes) return written;
  // Most likely a full disk: use the space reserved at the start.
  const std::string reserve = run.path(record::live::kExitReserveFile);
  int fd = ::open(reserve.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return written;
  Status in_place = WriteAll(fd, text, reserve);
  if (in_place.ok() && ::fdatasync(fd) != 0) in_place = IoError("cannot sync " + reserve + ": " + std::strerror(errno));
  ::close(fd);
  if (!in_place.ok()) return written;
  if (::rename(reserve.c_str(), run.path(record::live::kExitFile).c_str()) != 0) return written;
  return Status::Ok();
}

StatusOr<Json> FinalizeRun(Project& project, const LiveRun& run, const Json& start_record,
                           const std::optional<ExitInfo>& exit, const std::string& output_tail,
                           LiveMetrics live, std::vector<std::string>* warnings) {
  double now = NowUnixSeconds();
  Json rec = start_record;
  rec["status"] = StatusFor(exit);
  MergeAnnotations(run.path(record::live::kAnnotationsFile), rec);
  // A sweep stopped this trial on purpose (early stopping or pruning): the
  // reason was written before the signal, so the signal is not a failure.
  if (auto why = ReadFile(run.path(record::live::kStopFile)); why.ok()) {
    rec["status"] = record::kPruned;
    rec["pruned"] = *why;
  }
  if (exit) {
    if (exit->signal != 0) {
      rec["exit_code"] = 128 + exit->signal;
      rec["signal"] = exit->signal;
    } else {
      rec["exit_code"] = exit->exit_code;
    }
  }
  double started = ParseIsoTime(record::GetString(rec, "started")).value_or(now);
  double ended = exit ? exit->ended : FileMtime(run.path(record::live::kMetricsFile), FileMtime(run.path(record::live::kStartFile), now));
  if (ended < started) ended = started;
  rec["ended"] = FormatIsoTime(ended);
  rec["duration_s"] = std::round((ended - started) * 1000.0) / 1000.0;

  // The start of the run validated the config; a config edited since then
  // falls back to the defaults rather than losing the run.
  MetricsConfig metrics_config = ParseMetricsConfig(project.config()).value_or(MetricsConfig{});

  // The metrics file is the durable source; re-reading it whole makes the
  // normal path and crash recovery the same code.
  std::optional<metrics::MetricSet> own_set;
  std::optional<metrics::MetricsTailer> own_tailer;
  Status read;
  if (live.tailer) {
    read = live.tailer->Finish(ended, *live.set);
  } else {
    // Recovery: stamp lines with the times the dead supervisor had marked.
    own_set.emplace();
    own_tailer.emplace(run.path(record::live::kMetricsFile));
    live = {&*own_tailer, &*own_set};
    auto marks = metrics::LoadTimeMarks(run.path(record::live::kMetricsMarksFile));
    read = own_tailer->Replay(marks.ok() ? *marks : std::vector<metrics::TimeMark>{}, ended, *own_set);
  }
  metrics::MetricSet& set = *live.set;
  metrics::MetricsTailer& tailer = *live.tailer;
  std::vector<std::string> metric_warnings_from_files;
  // Metrics trail read from the output, for names the program did not
  // report itself (its own TRAIL_METRICS lines always win).
  Json captured = Json::object();
  {
    std::string run_cwd = JoinPath(project.root(), record::GetString(rec, "cwd"));
    std::vector<std::string> file_warnings;
    FileMetrics files = ReadFileMetrics(metrics_config, run_cwd, started, ended, &file_warnings);
    Json origin = files.origin;
    Json merged = Json::object();
    MergeMissingSeries(set, files.csv, "", merged);
    MergeMissingSeries(set, files.tensorboard, "", merged);
    for (auto it = merged.begin(); it != merged.end(); ++it) captured[it.key()] = origin.value(it.key(), "file");
    for (auto& w : file_warnings) metric_warnings_from_files.push_back(std::move(w));
  }
  if (PathExists(run.path(record::live::kOutputMetricsFile))) {
    metrics::MetricSet from_output;
    metrics::MetricsTailer output_reader(run.path(record::live::kOutputMetricsFile));
    (void)output_reader.Finish(ended, from_output);
    MergeMissingSeries(set, from_output, "output", captured);
  }
  Json metric_warnings = Json::array();
  if (!read.ok()) metric_warnings.push_back(read.message());
  for (const auto& w : metric_warnings_from_files) metric_warnings.push_back(w);
  for (const auto& w : tailer.warnings()) metric_warnings.push_back("TRAIL_METRICS " + w);
  if (tailer.dropped_warnings() > 0)
    metric_warnings.push_back("and " + std::to_string(tailer.dropped_warnings()) + " more malformed lines");

  Json summary = Json::object();
  Json series = Json::object();
  std::vector<std::pair<std::string, std::string>> big_series;  // key, TSV: to the object store
  std::vector<std::pair<std::string, std::string>> series_files;  // file under the run dir, content
  for (const auto& key : set.Keys()) {
    auto s = set.Summarize(key);
    if (!s) continue;
    Json m = Json::object();
    m["last"] = s->last;
    m["min"] = s->min;
    m["max"] = s->max;
    m["count"] = s->count;
    m["last_step"] = s->last_step;
    m["min_step"] = s->min_step;
    m["max_step"] = s->max_step;
    summary[key] = m;
    std::string file = std::string(record::kMetricsDir) + "/" + record::SeriesFileName(key);
    std::string tsv = metrics::SeriesToTsv(*set.Series(key));
    if (tsv.size() >= kSeriesInStoreBytes) {
      big_series.emplace_back(key, std::move(tsv));
      continue;
    }
    series[key] = file;
    series_files.emplace_back(file, std::move(tsv));
  }
  Json metrics_json = Json::object();
  if (!summary.empty()) metrics_json["summary"] = summary;
  if (!series.empty()) metrics_json["series"] = series;
  if (!captured.empty()) metrics_json["origin"] = captured;
  Json derived = metrics::DeriveMetrics(set, metrics_config.derived);
  if (!derived.empty()) metrics_json["derived"] = derived;
  if (!metric_warnings.empty()) {
    metrics_json["warnings"] = metric_warnings;
    if (warnings)
      for (const auto& w : metric_warnings) warnings->push_back(w.get<std::string>());
  }
  if (!metrics_json.empty()) rec["metrics"] = metrics_json;
  if (!output_tail.empty()) rec["output"] = std::string(record::kOutputFile);

  // Artifacts go into the object store before the record names them; the store stays open
  // (its shared lock held) until the commit, so a gc cannot remove them in between.
  std::unique_ptr<store::LocalStore> artifact_store;
  if (PathExists(run.path(record::live::kArtifactsStateFile))) {
    std::vector<std::string> artifact_warnings;
    auto st = store::LocalStore::OpenForWriting(project.store_dir());
    if (!st.ok()) {
      artifact_warnings.push_back("artifacts not stored: " + st.status().message());
    } else {
      artifact_store = std::move(st).value();
      auto stored = StoreRunArtifacts(project, run, *artifact_store, &artifact_warnings);
      if (!stored.ok()) {
        artifact_warnings.push_back("artifacts not stored: " + stored.status().message());
      } else if (!stored->empty()) {
        if (!rec.contains("artifacts") || !rec["artifacts"].is_array()) rec["artifacts"] = Json::array();
        for (const Json& a : *stored) rec["artifacts"].push_back(a);
      }
    }
    if (!artifact_warnings.empty()) {
      Json w = rec.value("warnings", Json::array());
      for (const auto& m : artifact_warnings) {
        w.push_back(m);
        if (warnings) warnings->push_back(m);
      }
      rec["warnings"] = w;
    }
  }

  // Long series (a million points is tens of MB of TSV) go to the object store and the record
  // names them by hash; short ones stay beside the record, readable with plain Git.
  if (!big_series.empty()) {
    Status stored = Status::Ok();
    if (!artifact_store) {
      auto st = store::LocalStore::OpenForWriting(project.store_dir());
      if (st.ok()) artifact_store = std::move(st).value();
      else stored = st.status();
    }
    for (auto& [key, tsv] : big_series) {
      if (stored.ok()) {
        auto m = store::StoreBuffer(*artifact_store, tsv, store::kDatasetChunking);
        if (m.ok()) {
          Json ref = Json::object();
          ref["oid"] = OidString(m->id);
          ref["size"] = tsv.size();
          rec["metrics"]["series"][key] = ref;
          continue;
        }
        stored = m.status();
      }
      // The store failed: keep the series on the branch rather than lose it.
      std::string file = std::string(record::kMetricsDir) + "/" + record::SeriesFileName(key);
      rec["metrics"]["series"][key] = file;
      series_files.emplace_back(file, std::move(tsv));
    }
    if (!stored.ok() && warnings) warnings->push_back("metric series kept on the branch: " + stored.message());
  }

  {
    TRAIL_ASSIGN_OR_RETURN(FileLock lock, project.LockWriters());
    std::string id = run.id;
    int64_t number = run.number;
    bool already = false;
    if (auto tip = project.repo().ResolveRef(project.runs_ref()); tip.ok() && *tip) {
      std::string path = record::RecordPath(id, number);
      if (auto existing = project.repo().ReadFileAt(**tip, path); existing.ok()) {
        auto parsed = record::Parse(*existing, path);
        already = parsed.ok() && record::GetString(*parsed, "uid") == record::GetString(rec, "uid");
        if (!already) {
          // Another run took this number meanwhile (fetched from a clone that
          // numbered independently): never overwrite it; take the next free one.
          number = NextNumber(project);
          id = record::MakeRunId(project.name(), number);
          TRAIL_RETURN_IF_ERROR(SaveCounter(project, number));
          if (warnings)
            warnings->push_back(run.id + " already exists on the runs branch (another clone?); recorded as " + id);
          rec["id"] = id;
          rec["number"] = number;
          rec["renumbered_from"] = run.id;
          if (rec.contains("code") && rec["code"].contains("ref")) {
            std::string ref = "refs/trail/code/" + id;
            const std::string snapshot = record::GetString(rec["code"], "snapshot");
            if (project.repo().SetRef(ref, snapshot, "trail: code of " + id).ok()) {
              rec["code"]["ref"] = ref;
              // The old name is the other run's: left here, it would block fetching that run's
              // code ref and pushing refs/trail/*.
              DropCodeRefIfOurs(project, run.id, snapshot);
            }
          }
        }
      }
    }
    if (!already) {
      rec = record::Canonical(rec);
      std::string dir = record::RunDir(id, number);
      std::vector<git::FileWrite> writes;
      writes.push_back({record::RecordPath(id, number), record::Serialize(rec)});
      for (auto& [file, content] : series_files) writes.push_back({dir + "/" + file, std::move(content)});
      if (!output_tail.empty()) writes.push_back({dir + "/" + record::kOutputFile, output_tail});
      std::string message = "trail: " + id + " " + rec["status"].get<std::string>();
      if (rec.contains("exit_code")) message += " (exit " + record::ScalarText(rec["exit_code"]) + ")";
      TRAIL_ASSIGN_OR_RETURN(std::string commit, project.Commit(writes, message));
      (void)commit;
    }
  }
  // The record is safe on the branch; failing to tidy up must not fail the run.
  if (Status s = RemoveLiveFolder(run.dir); !s.ok() && warnings) warnings->push_back(s.message());
  return record::Canonical(rec);
}

std::vector<Json> ListLiveRuns(Project& project) {
  std::vector<std::pair<int64_t, Json>> live;
  for (const auto& name : ListDirectory(project.live_dir())) {
    if (!IsRunFolder(name)) continue;
    auto number = record::RunNumberOf(name);
    std::string dir = JoinPath(project.live_dir(), name);
    auto lock = FileLock::TryAcquire(JoinPath(dir, record::live::kLockFile), /*create=*/false);
    if (!lock.ok() || lock->held()) continue;  // gone, or not live: recovery's business
    auto text = ReadFile(JoinPath(dir, record::live::kStartFile));
    if (!text.ok()) continue;
    auto rec = ParseYaml(*text, name);
    if (rec.ok() && rec->is_object()) live.emplace_back(*number, *rec);
  }
  std::sort(live.begin(), live.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<Json> out;
  for (auto& [n, rec] : live) out.push_back(std::move(rec));
  return out;
}

std::vector<std::string> RecoverAbandonedRuns(Project& project, std::vector<std::string>* warnings) {
  std::vector<std::string> recovered;
  for (const auto& name : ListDirectory(project.live_dir())) {
    if (!name.empty() && name[0] == '.') {
      // Leftovers of a process killed while creating or removing a folder.
      // A folder being created has its lock file made before it is locked;
      // AllocateRun does both under the writer lock, so take it too, or we
      // could lock and delete a folder in that instant.
      std::optional<FileLock> writers;
      if (name.rfind(record::live::kCreatingPrefix, 0) == 0) {
        auto w = project.LockWriters();
        if (!w.ok()) continue;
        writers.emplace(std::move(*w));
      }
      std::string dir = JoinPath(project.live_dir(), name);
      auto lock = FileLock::TryAcquire(JoinPath(dir, record::live::kLockFile), /*create=*/false);
      if (lock.ok() && lock->held()) (void)RemoveAll(dir);
      continue;
    }
    if (!IsRunFolder(name)) continue;
    auto number = record::RunNumberOf(name);
    LiveRun run;
    run.id = name;
    run.number = *number;
    run.dir = JoinPath(project.live_dir(), name);
    auto lock = FileLock::TryAcquire(run.path(record::live::kLockFile), /*create=*/false);
    if (!lock.ok() || !lock->held()) continue;  // still running, or another command got there first
    run.lock = std::move(*lock);

    Json start;
    auto text = ReadFile(run.path(record::live::kStartFile));
    if (text.ok()) {
      auto parsed = ParseYaml(*text, run.path(record::live::kStartFile));
      if (parsed.ok() && parsed->is_object()) start = *parsed;
    }
    if (!start.is_object() || !start.contains("uid")) {
      // Died between allocation and start: nothing ran, nothing to record.
      (void)RemoveLiveFolder(run.dir);
      continue;
    }
    std::optional<ExitInfo> exit;
    if (auto e = ReadFile(run.path(record::live::kExitFile)); e.ok()) {
      auto j = Json::parse(*e, nullptr, false);
      if (j.is_object()) {
        exit = ExitInfo{j.value("exit_code", 0), j.value("signal", 0), j.value("ended", NowUnixSeconds())};
      }
    }
    std::string tail = ReadFile(run.path(record::live::kOutputTailFile)).value_or("");
    auto done = FinalizeRun(project, run, start, exit, tail, LiveMetrics{}, warnings);
    if (done.ok()) {
      recovered.push_back(run.id);
      if (warnings && !exit)
        warnings->push_back(run.id + " was interrupted (its trail process died); recorded as crashed");
    } else if (warnings) {
      warnings->push_back("cannot finalize " + run.id + ": " + done.status().message());
    }
  }
  return recovered;
}

}  // namespace trail
