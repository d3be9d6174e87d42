// Resuming a run (`trail run --resume ID`, the Python client's start_run(run_id=...)): the run
// on the branch becomes live again under its own id, number and uid, and its next commit
// replaces its folder on the branch with both attempts (docs/run.md, "Resuming a run").
//
//   reopen  ReopenRun checks, under the writer lock, that the run may be resumed and creates
//           its live folder (the number is already on the branch: nothing is allocated);
//   seed    SeedResumedRun carries the old metric series into the live folder before the
//           program starts, and writes resume.json (the earlier attempts, the old output);
//   finish  FinishResumedAttempt, called by CollectRun, adds this attempt to `attempts`,
//           sums the durations and appends the new output to the old.
//
// Crash recovery needs nothing more: the live folder holds everything, old and new.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/yaml.h"
#include "project/project.h"
#include "recording/live_folder.h"
#include "trail/status.h"

namespace trail {

struct ReopenedRun {
  LiveRun run;
  StoredRun previous;  // the record on the branch, as it was when reopened
};

// The run `ref` (id, number or uid) made live again. Refused, with nothing written: NotFound
// for an unknown run; FailedPrecondition for a finished run without `force` ("<id> finished;
// --force to reopen it"), a run that is live now, or a status that cannot be resumed;
// Corrupt for a record whose id or number cannot name a live folder.
StatusOr<ReopenedRun> ReopenRun(Project& project, const std::string& ref, bool force);

// The start record of the resumed attempt: the old record with `fresh` (what this attempt
// captured: command, code, environment, ...) over it. `started`, id, number and uid stay the
// old ones; params and tags are merged (new values win); data inputs are replaced by role;
// functions are the new scan's plus those earlier attempts logged with log_function;
// the outcome, metrics and output of the old attempts are dropped (they come back at the end).
Json ResumedStartRecord(const Json& old_record, const Json& fresh);

// Seeds the live folder with the old run's metric series (series the program reported go to
// metrics.jsonl, those parsed from its output to output_metrics.jsonl, with their steps and
// times) and writes resume.json. `attempt_started`: this attempt's start. Returns the last
// recorded step of any metric, -1 when none was recorded. Call before start.yaml is written,
// so a crash in between leaves a folder recovery simply removes.
StatusOr<int64_t> SeedResumedRun(Project& project, const LiveRun& run, const StoredRun& previous,
                                 double attempt_started, std::vector<std::string>* warnings);

// The code snapshot commit a record names, when it is a well-formed commit id; else "".
std::string SnapshotOf(const Json& record);

// For a live folder with resume.json: appends this attempt (from the record's outcome, as
// CollectOutcome left it) to `attempts`, sets `duration_s` to the sum of the attempts' and
// puts the old output before `output_tail` with a separator line (the last 64 KiB kept).
// Does nothing for a run that was not resumed.
void FinishResumedAttempt(const LiveRun& run, Json& record, std::string& output_tail);

// How many attempts a record holds: its `attempts` list, or 1. CommitRun compares the branch's
// count with its own to tell "already committed" from "a later attempt of the same uid".
size_t AttemptCount(const Json& record);

}  // namespace trail
