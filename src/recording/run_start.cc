#include "recording/run_start.h"

#include "base/clock.h"
#include "base/random_id.h"
#include "project/context_config.h"
#include "project/metrics_config.h"
#include "record/live_files.h"
#include "record/params.h"
#include "record/record.h"
#include "recording/capture.h"
#include "recording/ended_run.h"
#include "recording/queued_run.h"
#include "recording/resume.h"
#include "recording/run_artifacts.h"

namespace trail {

StatusOr<BegunRun> BeginRun(Project& project, const RunStart& start, std::vector<std::string>* warnings) {
  // Params: params files < the command's own options < the caller's.
  TRAIL_ASSIGN_OR_RETURN(Json params, record::ParamsFromFiles(start.cwd));
  if (start.params_from_args) record::MergeInto(params, record::ParamsFromArgs(start.argv));
  if (start.params.is_object()) record::MergeInto(params, start.params);
  record::MaskSecretParams(params);
  TRAIL_ASSIGN_OR_RETURN(ContextConfig context_config, ParseContextConfig(project.config()));
  TRAIL_RETURN_IF_ERROR(ParseMetricsConfig(project.config()).status());

  // A resumed run keeps its id, number and uid; its live folder is made here, nothing allocated.
  std::optional<ReopenedRun> reopened;
  if (!start.resume.empty()) {
    TRAIL_ASSIGN_OR_RETURN(ReopenedRun r, ReopenRun(project, start.resume, start.force));
    reopened.emplace(std::move(r));
  }
  std::optional<TakenRun> taken;
  if (!start.queued_run.empty()) {
    if (reopened) return InvalidArgument("--queued-run does not go with --resume");
    TRAIL_ASSIGN_OR_RETURN(TakenRun t, TakeQueuedRun(project, start.queued_run));
    taken.emplace(std::move(t));
  }
  TRAIL_ASSIGN_OR_RETURN(LiveRun run, reopened ? StatusOr<LiveRun>(std::move(reopened->run))
                                      : taken  ? StatusOr<LiveRun>(std::move(taken->run))
                                               : AllocateRun(project));
  Json rec = Json::object();
  rec["trail"] = record::kFormatVersion;
  rec["id"] = run.id;
  rec["number"] = run.number;
  rec["uid"] = reopened ? record::GetString(reopened->previous.record, "uid")
               : taken  ? record::GetString(taken->queued, "uid")
                        : RandomUid();
  if (!start.name.empty()) rec["name"] = start.name;
  if (!start.parent.empty()) rec["parent"] = start.parent;
  if (!start.reproduces.empty()) rec["reproduces"] = start.reproduces;
  rec["status"] = record::kRunning;
  const double started = project.env().NowUnixSeconds();
  rec["started"] = FormatIsoTime(started);
  rec["params"] = params;
  if (start.seed) rec["seed"] = *start.seed;
  if (start.hyperparameters.is_object() && !start.hyperparameters.empty())
    rec["hyperparameters"] = start.hyperparameters;
  if (start.tags.is_object() && !start.tags.empty()) rec["tags"] = start.tags;
  if (start.data.is_array() && !start.data.empty()) rec["data"] = start.data;
  if (start.ranks.is_object()) rec["ranks"] = start.ranks;
  if (taken && taken->queued.contains("executor")) rec["executor"] = taken->queued["executor"];
  TRAIL_RETURN_IF_ERROR(RecordArtifactBaseline(project, run, start.artifact_paths));
  std::optional<int64_t> resume_step;
  if (reopened) {
    // Before the snapshot moves the code ref: a refusal here leaves the run as it was (the
    // live folder, without start.yaml, is removed).
    auto seeded = SeedResumedRun(project, run, reopened->previous, started, warnings);
    if (!seeded.ok()) {
      (void)RemoveLiveFolder(*run.env, run.dir);
      return seeded.status();
    }
    resume_step = *seeded;
  }
  // The code snapshot is taken before the program runs: it is what ran.
  CaptureOptions capture;
  capture.argv = start.argv;
  capture.cwd = start.cwd;
  capture.run_id = run.id;
  capture.set_code_ref = !RecordsInNodeLocalJob(project);
  capture.env_overrides = start.env_overrides;
  if (reopened) capture.previous_snapshot = SnapshotOf(reopened->previous.record);
  if (auto dirs = ConfiguredArtifactDirs(project); dirs.ok()) capture.artifact_dirs = *dirs;
  for (const std::string& a : start.artifact_paths) {
    if (a.rfind(project.root() + "/", 0) == 0) capture.artifact_dirs.push_back(a.substr(project.root().size() + 1));
  }
  std::vector<std::string> captured_warnings;
  Json context = CaptureContext(project, context_config, capture, &captured_warnings);
  for (auto it = context.begin(); it != context.end(); ++it) rec[it.key()] = it.value();
  if (!captured_warnings.empty()) rec["warnings"] = captured_warnings;
  for (auto& w : captured_warnings) warnings->push_back(std::move(w));
  if (reopened) rec = ResumedStartRecord(reopened->previous.record, rec);
  TRAIL_RETURN_IF_ERROR(WriteFileAtomic(project.env(), run.path(record::live::kStartFile), EmitYaml(rec)));
  return BegunRun{std::move(run), std::move(rec), resume_step};
}

}  // namespace trail
