#include "recording/finalize.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>

#include "base/clock.h"
#include "base/files.h"
#include "metrics/derived.h"
#include "metrics/series_tsv.h"
#include "metrics/time_marks.h"
#include "project/metrics_config.h"
#include "record/live_files.h"
#include "record/record.h"
#include "recording/file_metrics.h"
#include "recording/model_summary.h"
#include "recording/rank_group.h"
#include "recording/resume.h"
#include "recording/run_artifacts.h"
#include "recording/run_numbers.h"
#include "store/file_store.h"
#include "tracked/pointer.h"

namespace trail {
namespace {

double FileMtime(Env& env, const std::string& path, double fallback) {
  return env.ModifiedTime(path).value_or(fallback);
}

// Applies what the program logged through the Python client. A line cut
// short by a crash, or otherwise unreadable, is skipped.
void MergeAnnotations(Env& env, const std::string& path, Json& rec) {
  auto text = env.ReadFile(path);
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
      // A null value is a deletion (trail.delete_tag); a map left empty by one goes.
      bool erased = false;
      for (auto it = line[key].begin(); it != line[key].end(); ++it) {
        if (it.value().is_null()) {
          erased = rec[key].erase(it.key()) > 0 || erased;
        } else {
          rec[key][it.key()] = it.value();
        }
      }
      if (erased && rec[key].empty()) rec.erase(key);
    }
    // trail.seed(n): the seed the program set, the last one set winning.
    if (line.contains("seed") && line["seed"].is_number_integer()) rec["seed"] = line["seed"];
    if (line.contains("function") && line["function"].is_object()) {
      if (!rec.contains("functions") || !rec["functions"].is_array()) rec["functions"] = Json::array();
      const Json& f = line["function"];
      bool seen = false;
      for (auto& existing : rec["functions"]) {
        if (existing.value("category", "") == f.value("category", "") &&
            existing.value("name", "") == f.value("name", "")) {
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

std::string SeriesFile(const std::string& key) {
  return std::string(record::kMetricsDir) + "/" + record::SeriesFileName(key);
}

// The record's status, exit code, end and duration; returns [started, ended].
std::pair<double, double> CollectOutcome(const LiveRun& run, const std::optional<ExitInfo>& exit, Json& rec) {
  Env& env = *run.env;
  double now = env.NowUnixSeconds();
  rec["status"] = StatusFor(exit);
  MergeAnnotations(env, run.path(record::live::kAnnotationsFile), rec);
  // A sweep stopped this trial on purpose (early stopping or pruning): the
  // reason was written before the signal, so the signal is not a failure.
  if (auto why = env.ReadFile(run.path(record::live::kStopFile)); why.ok()) {
    rec["status"] = record::kPruned;
    rec["pruned"] = *why;
  }
  // The batch scheduler's word on how the run's job ended (recording/queued_run.h): it names
  // what the exit status cannot (a failed node, a time limit), but a pruned trial stays pruned.
  if (auto job = env.ReadFile(run.path(record::live::kJobOutcomeFile)); job.ok()) {
    Json outcome = Json::parse(*job, nullptr, /*allow_exceptions=*/false);
    if (outcome.is_object()) {
      if (!rec["executor"].is_object()) rec["executor"] = Json::object();
      for (const char* key : {"state", "reason"}) {
        if (outcome.contains(key) && outcome[key].is_string()) rec["executor"][key] = outcome[key];
      }
      std::string status = record::GetString(outcome, "status");
      if (rec["status"] != record::kPruned &&
          (status == record::kFailed || status == record::kKilled || status == record::kCrashed)) {
        rec["status"] = status;
      }
    }
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
  double ended = exit ? exit->ended
                      : FileMtime(env, run.path(record::live::kMetricsFile),
                                  FileMtime(env, run.path(record::live::kStartFile), now));
  if (ended < started) ended = started;
  rec["ended"] = FormatIsoTime(ended);
  rec["duration_s"] = std::round((ended - started) * 1000.0) / 1000.0;
  return {started, ended};
}

// The record's `metrics:` block and the series files, from the metrics log (continued from
// what the supervisor read, or replayed whole), the files other tools wrote and the output.
void CollectMetrics(Project& project, const LiveRun& run, LiveMetrics live, double started, double ended,
                    FinishedRun& out, std::vector<std::string>* warnings) {
  Json& rec = out.record;
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
    MergeMissingSeries(set, files.dvc, "", merged);
    for (auto it = merged.begin(); it != merged.end(); ++it) captured[it.key()] = origin.value(it.key(), "file");
    for (auto& w : file_warnings) metric_warnings_from_files.push_back(std::move(w));
  }
  if (run.env->Exists(run.path(record::live::kOutputMetricsFile))) {
    metrics::MetricSet from_output;
    metrics::MetricsTailer output_reader(run.path(record::live::kOutputMetricsFile));
    (void)output_reader.Finish(ended, from_output);
    MergeMissingSeries(set, from_output, "output", captured);
  }
  std::vector<std::string> rank_warnings;
  AddRankMetrics(run, ended, set, &rank_warnings);  // the other ranks' series, rank<R>/<name>
  // The system sampler's series, under names that nothing above reported: a program's own
  // `system/x` is the program's.
  if (run.env->Exists(run.path(record::live::kSystemMetricsFile))) {
    metrics::MetricSet from_system;
    metrics::MetricsTailer system_reader(run.path(record::live::kSystemMetricsFile));
    (void)system_reader.Finish(ended, from_system);
    MergeMissingSeries(set, from_system, "system", captured);
  }
  Json metric_warnings = Json::array();
  if (!read.ok()) metric_warnings.push_back(read.message());
  for (const auto& w : rank_warnings) metric_warnings.push_back(w);
  for (const auto& w : metric_warnings_from_files) metric_warnings.push_back(w);
  for (const auto& w : tailer.warnings()) metric_warnings.push_back("TRAIL_METRICS " + w);
  if (tailer.dropped_warnings() > 0)
    metric_warnings.push_back("and " + std::to_string(tailer.dropped_warnings()) + " more malformed lines");

  Json metrics_json = SummarizeMetrics(set, metrics_config, captured, out);
  if (!metric_warnings.empty()) {
    metrics_json["warnings"] = metric_warnings;
    if (warnings)
      for (const auto& w : metric_warnings) warnings->push_back(w.get<std::string>());
  }
  if (!metrics_json.empty()) rec["metrics"] = metrics_json;
}

// Gives the record the id and number `number`, as a run whose own number was taken: keeps the
// old id in `renumbered_from` and moves its code ref to the new name.
void Renumber(Project& project, const LiveRun& run, int64_t number, Json& rec) {
  const std::string id = record::MakeRunId(project.name(), number);
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

// Whether the runs branch holds a record at the path of `id`/`number`, and if so whether it is
// this run (same uid and at least as many attempts) or an earlier attempt of it (kResumed).
enum class OnBranch { kFree, kThisRun, kResumed, kOtherRun };

// A resumed run's artifacts: the old attempts' and the new one's, one entry per path (the
// latest wins), so a checkpoint rewritten by the new attempt is named once.
void KeepLatestArtifactPerPath(Json& rec) {
  if (!rec.contains("artifacts") || !rec["artifacts"].is_array()) return;
  Json kept = Json::array();
  std::vector<std::string> paths;
  for (const Json& a : rec["artifacts"]) {
    const std::string path = a.is_object() ? record::GetString(a, "path") : "";
    auto at = path.empty() ? paths.end() : std::find(paths.begin(), paths.end(), path);
    if (at != paths.end()) {
      kept[at - paths.begin()] = a;
      continue;
    }
    kept.push_back(a);
    paths.push_back(path);
  }
  rec["artifacts"] = kept;
}

// The files under the run's folder on the branch that `writes` does not rewrite: a resumed
// run's commit replaces its folder, so a series that moved into the store leaves no stale file.
void RemoveOtherFiles(Project& project, const std::string& dir, std::vector<git::FileWrite>& writes) {
  auto tip = project.repo().ResolveRef(project.runs_ref());
  if (!tip.ok() || !*tip) return;
  std::vector<std::string> stale;
  (void)project.repo().ForEachFile(**tip, dir, "", [&](const std::string& path, const std::string&) -> Status {
    bool rewritten = false;
    for (const auto& w : writes) rewritten = rewritten || w.path == path;
    if (!rewritten) stale.push_back(path);
    return Status::Ok();
  });
  for (auto& path : stale) writes.push_back({std::move(path), "", /*remove=*/true});
}
OnBranch LookUp(Project& project, const std::string& id, int64_t number, const Json& rec) {
  auto tip = project.repo().ResolveRef(project.runs_ref());
  if (!tip.ok() || !*tip) return OnBranch::kFree;
  std::string path = record::RecordPath(id, number);
  auto existing = project.repo().ReadFileAt(**tip, path);
  if (!existing.ok()) return OnBranch::kFree;
  auto parsed = record::Parse(*existing, path);
  if (!parsed.ok() || record::GetString(*parsed, "uid") != record::GetString(rec, "uid")) return OnBranch::kOtherRun;
  // The same run: committed already unless this is a later attempt of it (a resumed run).
  return AttemptCount(*parsed) >= AttemptCount(rec) ? OnBranch::kThisRun : OnBranch::kResumed;
}

}  // namespace

Json SummarizeMetrics(const metrics::MetricSet& set, const MetricsConfig& config, const Json& origin,
                      FinishedRun& out) {
  Json summary = Json::object();
  Json series = Json::object();
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
    std::string file = SeriesFile(key);
    std::string tsv = metrics::SeriesToTsv(*set.Series(key));
    if (tsv.size() >= kSeriesInStoreBytes) {
      out.big_series.emplace_back(key, std::move(tsv));
      continue;
    }
    series[key] = file;
    out.series_files.emplace_back(file, std::move(tsv));
  }
  Json metrics_json = Json::object();
  if (!summary.empty()) metrics_json["summary"] = summary;
  if (!series.empty()) metrics_json["series"] = series;
  if (!origin.empty()) metrics_json["origin"] = origin;
  Json derived = metrics::DeriveMetrics(set, config.derived);
  if (!derived.empty()) metrics_json["derived"] = derived;
  return metrics_json;
}

FinishedRun CollectRun(Project& project, const LiveRun& run, const Json& start_record, const FinalizeOptions& options) {
  FinishedRun out;
  out.record = start_record;
  auto [started, ended] = CollectOutcome(run, options.exit, out.record);
  CollectMetrics(project, run, options.live, started, ended, out, options.warnings);
  out.output_tail = options.output_tail;
  FinishResumedAttempt(run, out.record, out.output_tail);
  if (!out.output_tail.empty()) out.record["output"] = std::string(record::kOutputFile);
  return out;
}

void StoreBigSeries(Project& project, FinishedRun& finished, std::unique_ptr<store::LocalStore>& artifact_store,
                    std::vector<std::string>* warnings) {
  Json& rec = finished.record;
  // Long series (a million points is tens of MB of TSV) go to the object store and the record
  // names them by hash; short ones stay beside the record, readable with plain Git.
  if (!finished.big_series.empty()) {
    Status stored = Status::Ok();
    if (!artifact_store) {
      auto st = store::LocalStore::OpenForWriting(project.store_dir());
      if (st.ok())
        artifact_store = std::move(st).value();
      else
        stored = st.status();
    }
    for (auto& [key, tsv] : finished.big_series) {
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
      std::string file = SeriesFile(key);
      rec["metrics"]["series"][key] = file;
      finished.series_files.emplace_back(file, std::move(tsv));
    }
    finished.big_series.clear();
    if (!stored.ok() && warnings) warnings->push_back("metric series kept on the branch: " + stored.message());
  }
}

std::unique_ptr<store::LocalStore> StoreRunOutputs(Project& project, const LiveRun& run, FinishedRun& finished,
                                                   std::vector<std::string>* warnings) {
  Json& rec = finished.record;
  // Artifacts go into the object store before the record names them; the store stays open
  // (its shared lock held) until the commit, so a gc cannot remove them in between.
  std::unique_ptr<store::LocalStore> artifact_store;
  if (run.env->Exists(run.path(record::live::kArtifactsStateFile))) {
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
  // The functions found in the models (artifacts of `trail run` and of the Python client alike).
  AddModelFunctions(rec);

  StoreBigSeries(project, finished, artifact_store, warnings);
  return artifact_store;
}

Status CommitRun(Project& project, const LiveRun& run, FinishedRun& finished, std::vector<std::string>* warnings) {
  Json& rec = finished.record;
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, project.LockWriters());
  std::string id = run.id;
  int64_t number = run.number;
  const OnBranch there = LookUp(project, id, number, rec);
  if (there == OnBranch::kThisRun) {
    // Committed before its recorder died: nothing more to write.
    rec = record::Canonical(rec);
    return Status::Ok();
  }
  if (there == OnBranch::kOtherRun) {
    // Another run took this number meanwhile (fetched from a clone that
    // numbered independently): never overwrite it; take the next free one.
    TRAIL_ASSIGN_OR_RETURN(number, TakeRunNumberLocked(project));
    id = record::MakeRunId(project.name(), number);
    if (warnings)
      warnings->push_back(run.id + " already exists on the runs branch (another clone?); recorded as " + id);
    Renumber(project, run, number, rec);
  }
  if (there == OnBranch::kResumed) KeepLatestArtifactPerPath(rec);
  rec = record::Canonical(rec);
  std::string dir = record::RunDir(id, number);
  std::vector<git::FileWrite> writes;
  writes.push_back({record::RecordPath(id, number), record::Serialize(rec)});
  for (auto& [file, content] : finished.series_files) writes.push_back({dir + "/" + file, std::move(content)});
  if (!finished.output_tail.empty()) writes.push_back({dir + "/" + record::kOutputFile, finished.output_tail});
  if (there == OnBranch::kResumed) RemoveOtherFiles(project, dir, writes);
  std::string message = "trail: " + id + " " + rec["status"].get<std::string>();
  if (rec.contains("exit_code")) message += " (exit " + record::ScalarText(rec["exit_code"]) + ")";
  TRAIL_ASSIGN_OR_RETURN(std::string commit, project.Commit(writes, message));
  (void)commit;
  return Status::Ok();
}

StatusOr<Json> FinalizeRun(Project& project, const LiveRun& run, const Json& start_record,
                           const FinalizeOptions& options) {
  FinishedRun finished = CollectRun(project, run, start_record, options);
  // Held until the record that names what went into it is committed.
  std::unique_ptr<store::LocalStore> store = StoreRunOutputs(project, run, finished, options.warnings);
  TRAIL_RETURN_IF_ERROR(CommitRun(project, run, finished, options.warnings));
  // The record is safe on the branch; failing to tidy up must not fail the run.
  if (Status s = RemoveLiveFolder(*run.env, run.dir); !s.ok() && options.warnings)
    options.warnings->push_back(s.message());
  return record::Canonical(finished.record);
}

}  // namespace trail
