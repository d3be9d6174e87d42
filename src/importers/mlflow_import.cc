#include "importers/mlflow_import.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "base/clock.h"
#include "record/params.h"
#include "record/record.h"
#include "recording/import_run.h"

namespace trail::importers {
namespace {

// MLflow's system tags read into record fields (they stay tags too).
constexpr const char* kParentTag = "mlflow.parentRunId";
constexpr const char* kRunNameTag = "mlflow.runName";
constexpr const char* kUserTag = "mlflow.user";
constexpr const char* kCommitTag = "mlflow.source.git.commit";
constexpr const char* kNoteTag = "mlflow.note.content";

const std::string* FindTag(const MlflowRun& run, const std::string& key) {
  for (const auto& [k, v] : run.tags) {
    if (k == key) return &v;
  }
  return nullptr;
}

// [first, last] point time of every series, in unix seconds; NaN when the run has none.
std::pair<double, double> MetricTimes(const metrics::MetricSet& set) {
  double first = std::numeric_limits<double>::quiet_NaN(), last = first;
  for (const std::string& key : set.Keys()) {
    auto s = set.Summarize(key);
    if (!s) continue;
    first = std::isnan(first) ? s->first_time : std::min(first, s->first_time);
    last = std::isnan(last) ? s->last_time : std::max(last, s->last_time);
  }
  return {first, last};
}

bool IsHexCommit(const std::string& s) {
  if (s.size() != 40 && s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

ImportedRun MapRun(const MlflowExperiment& e, MlflowRun& run, const std::set<std::string>& importing,
                   const std::map<std::string, std::string>& existing) {
  ImportedRun out;
  out.key = run.run_id;
  Json& rec = out.record;
  std::string name = run.name;
  if (const std::string* t = FindTag(run, kRunNameTag); name.empty() && t) name = *t;
  if (!name.empty()) rec["name"] = name;
  if (const std::string* p = FindTag(run, kParentTag)) {
    if (importing.count(*p)) {
      out.parent_key = *p;
    } else if (auto at = existing.find(*p); at != existing.end()) {
      rec["parent"] = at->second;
    }
  }
  rec["status"] = TrailStatusFor(run.status);
  auto [first_point, last_point] = MetricTimes(run.metrics);
  double started = run.start_ms ? static_cast<double>(*run.start_ms) / 1000.0 : first_point;
  if (std::isnan(started)) started = run.end_ms ? static_cast<double>(*run.end_ms) / 1000.0 : 0.0;
  double ended = run.end_ms ? static_cast<double>(*run.end_ms) / 1000.0 : last_point;
  if (std::isnan(ended) || ended < started) ended = started;
  rec["started"] = FormatIsoTime(started);
  rec["ended"] = FormatIsoTime(ended);
  rec["duration_s"] = std::round((ended - started) * 1000.0) / 1000.0;
  std::string user = run.user;
  if (const std::string* t = FindTag(run, kUserTag); user.empty() && t) user = *t;
  if (!user.empty()) rec["user"] = Json{{"name", user}};
  if (const std::string* c = FindTag(run, kCommitTag); c && IsHexCommit(*c)) rec["code"] = Json{{"commit", *c}};
  Json params = Json::object();
  for (const auto& [k, v] : run.params) params[k] = record::TypedValue(v);
  record::MaskSecretParams(params);
  if (!params.empty()) rec["params"] = params;
  Json tags = Json::object();
  for (const auto& [k, v] : run.tags) tags[k] = v;
  tags["experiment"] = e.name;
  tags["mlflow.run_id"] = run.run_id;
  tags["mlflow.experiment_id"] = e.id;
  rec["tags"] = tags;
  if (const std::string* note = FindTag(run, kNoteTag); note && !note->empty()) {
    Json n = Json{{"time", rec["started"]}, {"user", user}, {"text", *note}};
    rec["notes"] = Json::array({n});
  }
  out.metrics = std::move(run.metrics);
  for (auto& [path, file] : run.artifacts) out.artifacts.push_back({path, file});
  return out;
}

// `runs` reordered so that a run's parent in the import comes before it (numbers then grow
// from parent to child, as when they were recorded); otherwise the order is kept. A cycle of
// parents (a hostile store) is cut: its first run is written without its parent.
std::vector<ImportedRun> ParentsFirst(std::vector<ImportedRun> runs) {
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < runs.size(); ++i) at[runs[i].key] = i;
  std::vector<bool> placed(runs.size(), false);
  std::vector<ImportedRun> out;
  out.reserve(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    std::vector<size_t> chain;  // i, its parent, its grandparent, ... not yet placed
    std::set<size_t> in_chain;
    for (size_t j = i; !placed[j] && in_chain.insert(j).second;) {
      chain.push_back(j);
      auto p = at.find(runs[j].parent_key);
      if (runs[j].parent_key.empty() || p == at.end()) break;
      if (in_chain.count(p->second)) {
        runs[j].parent_key.clear();  // the cycle closes here
        break;
      }
      j = p->second;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      placed[*it] = true;
      out.push_back(std::move(runs[*it]));
    }
  }
  return out;
}

}  // namespace

std::string TrailStatusFor(MlflowStatus status) {
  switch (status) {
    case MlflowStatus::kFinished:
      return record::kFinished;
    case MlflowStatus::kFailed:
      return record::kFailed;
    case MlflowStatus::kKilled:
      return record::kKilled;
    case MlflowStatus::kRunning:
    case MlflowStatus::kScheduled:
      break;
  }
  return record::kCrashed;
}

StatusOr<MlflowImportResult> ImportMlflowStore(Project& project, const MlflowImportOptions& options,
                                               const std::map<std::string, std::string>& existing,
                                               std::vector<std::string>* warnings) {
  TRAIL_ASSIGN_OR_RETURN(MlflowStore store, ReadMlflowStore(options.root, options.read));
  MlflowImportResult result;
  result.skipped_deleted_runs = store.skipped_deleted_runs;
  result.skipped_deleted_experiments = store.skipped_deleted_experiments;
  result.experiments = static_cast<int64_t>(store.experiments.size());
  result.has_registered_models = store.has_registered_models;
  std::set<std::string> importing;
  for (const MlflowExperiment& e : store.experiments) {
    for (const MlflowRun& r : e.runs) {
      if (existing.count(r.run_id)) continue;
      // MLflow run ids are unique across a store; a copy of a run folder is not imported twice.
      if (!importing.insert(r.run_id).second)
        return InvalidArgument(options.root + ": run " + r.run_id + " appears in more than one experiment");
    }
  }
  std::vector<ImportedRun> runs;
  std::map<std::string, std::string> experiment_of;
  for (MlflowExperiment& e : store.experiments) {
    for (MlflowRun& r : e.runs) {
      if (existing.count(r.run_id)) {
        ++result.skipped_existing;
        continue;
      }
      experiment_of[r.run_id] = e.name;
      runs.push_back(MapRun(e, r, importing, existing));
    }
  }
  // One order for the whole store: by start time, parents first.
  std::stable_sort(runs.begin(), runs.end(), [](const ImportedRun& a, const ImportedRun& b) {
    return record::GetString(a.record, "started") < record::GetString(b.record, "started");
  });
  runs = ParentsFirst(std::move(runs));
  for (const ImportedRun& r : runs) {
    result.imported.push_back(
        {r.key, experiment_of[r.key], record::GetString(r.record, "name"), record::GetString(r.record, "status"), ""});
  }
  if (options.dry_run || runs.empty()) return result;
  const std::string message =
      "trail: import " + std::to_string(runs.size()) + " MLflow run" + (runs.size() == 1 ? "" : "s");
  TRAIL_ASSIGN_OR_RETURN(ImportedIds ids, CommitImportedRuns(project, runs, message, warnings));
  for (MlflowImportedRun& r : result.imported) r.id = ids.ids[r.run_id];
  result.commit = ids.commit;
  return result;
}

}  // namespace trail::importers
