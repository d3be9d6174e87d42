#include "recording/ended_run.h"

#include <unistd.h>

#include <cstdlib>

#include "record/live_files.h"
#include "record/record.h"
#include "recording/queued_run.h"

namespace trail {
namespace {

std::string ThisHost() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// A file ended.yaml names beside the record: `metrics/<one name>`, as SummarizeMetrics makes them
// (record::SeriesFileName escapes every '/').
bool IsSeriesFilePath(const std::string& path) {
  const std::string prefix = std::string(record::kMetricsDir) + "/";
  if (path.rfind(prefix, 0) != 0) return false;
  const std::string name = path.substr(prefix.size());
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

StatusOr<FinishedRun> ReadEnded(const LiveRun& run) {
  const std::string path = run.path(record::live::kEndedFile);
  TRAIL_ASSIGN_OR_RETURN(std::string text, run.env->ReadFile(path));
  TRAIL_ASSIGN_OR_RETURN(Json ended, ParseYaml(text, path));
  if (!ended.is_object() || !ended.contains("record") || !ended["record"].is_object())
    return Corrupt(path + ": expected a mapping with a record");
  FinishedRun out;
  out.record = ended["record"];
  const Json& number = out.record.contains("number") ? out.record["number"] : Json();
  if (record::GetString(out.record, "id") != run.id || !number.is_number_integer() ||
      number.get<int64_t>() != run.number)
    return Corrupt(path + ": not the record of " + run.id);
  if (ended.contains("files")) {
    if (!ended["files"].is_array()) return Corrupt(path + ": files: expected a list");
    for (const Json& f : ended["files"]) {
      const std::string file = f.is_object() ? record::GetString(f, "path") : "";
      if (!IsSeriesFilePath(file) || !f.contains("content") || !f["content"].is_string())
        return Corrupt(path + ": files: \"" + file + "\" is not a metric series of the run");
      out.series_files.emplace_back(file, f["content"].get<std::string>());
    }
  }
  if (ended.contains("output_tail")) {
    if (!ended["output_tail"].is_string()) return Corrupt(path + ": output_tail: expected text");
    out.output_tail = ended["output_tail"].get<std::string>();
  }
  return out;
}

// The job left its code snapshot unnamed (refs are the login node's to update): name it now,
// before the record that points at it is committed.
void NameCodeSnapshot(Project& project, const LiveRun& run, Json& rec, std::vector<std::string>* warnings) {
  if (!rec.contains("code") || !rec["code"].is_object() || rec["code"].contains("ref")) return;
  const std::string snapshot = record::GetString(rec["code"], "snapshot");
  if (snapshot.empty()) return;
  const std::string ref = "refs/trail/code/" + run.id;
  Status set = project.repo().SetRef(ref, snapshot, "trail: code of " + run.id);
  if (set.ok()) {
    rec["code"]["ref"] = ref;
  } else if (warnings) {
    warnings->push_back(run.id + ": code snapshot " + snapshot + " not kept under " + ref + ": " + set.message());
  }
}

}  // namespace

bool RecordsInNodeLocalJob(const Project& project) {
  const char* job = std::getenv("SLURM_JOB_ID");
  return project.node_local_locks() && job != nullptr && *job != '\0';
}

bool IsEndedFolder(Env& env, const std::string& live_dir) {
  return env.Exists(JoinPath(live_dir, record::live::kEndedFile));
}

StatusOr<Json> ParkRun(Project& project, const LiveRun& run, const Json& start_record, const FinalizeOptions& options) {
  FinishedRun finished = CollectRun(project, run, start_record, options);
  // Held until ended.yaml names what went into it: a gc on this node waits; one on another node
  // does not (node-local locks), which is why gc refuses while a job's run is live there.
  std::unique_ptr<store::LocalStore> store = StoreRunOutputs(project, run, finished, options.warnings);
  Json ended = Json::object();
  ended["record"] = finished.record;
  Json files = Json::array();
  for (const auto& [path, content] : finished.series_files) {
    Json f = Json::object();
    f["path"] = path;
    f["content"] = content;
    files.push_back(std::move(f));
  }
  ended["files"] = std::move(files);
  ended["output_tail"] = finished.output_tail;
  TRAIL_RETURN_IF_ERROR(WriteFileAtomic(*run.env, run.path(record::live::kEndedFile), EmitYaml(ended)));
  return record::Canonical(finished.record);
}

StatusOr<Json> CommitEndedRun(Project& project, const LiveRun& run, std::vector<std::string>* warnings) {
  TRAIL_ASSIGN_OR_RETURN(FinishedRun finished, ReadEnded(run));
  NameCodeSnapshot(project, run, finished.record, warnings);
  TRAIL_RETURN_IF_ERROR(CommitRun(project, run, finished, warnings));
  if (Status s = RemoveLiveFolder(*run.env, run.dir); !s.ok() && warnings) warnings->push_back(s.message());
  return finished.record;
}

bool MayRecoverNodeLocal(const LiveRun& run, const Json& start, const cluster::JobInfo* job) {
  const Json executor = start.value("executor", Json::object());
  const std::string job_id = executor.is_object() && record::GetString(executor, "kind") == "slurm"
                                 ? record::GetString(executor, "job_id")
                                 : std::string();
  // Not a job trail submitted: only this host's lock says anything about it.
  if (job_id.empty()) return record::GetString(start, "host") == ThisHost();
  cluster::JobInfo info;
  if (job != nullptr) {
    info = *job;
  } else {
    auto asked = cluster::QueryJob(job_id);
    if (!asked.ok()) return false;
    info = *asked;
  }
  if (info.known && cluster::JobActive(info.state)) return false;
  // The job ended without its trail run parking the run: killed outright (node lost, KillWait
  // passed). Slurm's word goes into the record.
  if (!run.env->Exists(run.path(record::live::kJobOutcomeFile))) {
    if (auto verdict = cluster::VerdictOf(job_id, info))
      (void)WriteJobOutcome(*run.env, run.dir, verdict->status, info.state, verdict->reason);
  }
  return true;
}

}  // namespace trail
