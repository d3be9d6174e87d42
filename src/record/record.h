// The run record: what `runs/<shard>/<id>/run.yaml` on the runs branch holds.
//
// A record is kept in memory as an ordered JSON object (the same tree that is
// written as YAML), so later capabilities can add fields without a schema
// migration. This header fixes the canonical key order, where a run lives on
// the branch, and typed helpers for the fields every layer reads. The format is
// specified in docs/formats/run-yaml.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "trail/status.h"

namespace trail::record {

inline constexpr int kFormatVersion = 1;

// Statuses a record can hold. "running" exists only for live runs, never on the branch.
inline constexpr const char* kFinished = "finished";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kKilled = "killed";
inline constexpr const char* kCrashed = "crashed";
inline constexpr const char* kPruned = "pruned";  // a sweep stopped the trial early (see `pruned` for why)
inline constexpr const char* kRunning = "running";
// Submitted to a batch scheduler, waiting for its job (recording/queued_run.h); never on the branch.
inline constexpr const char* kQueued = "queued";

// "fraud-58" for project "fraud" and number 58.
std::string MakeRunId(const std::string& project, int64_t number);
// Number of a run id ("fraud-58" -> 58, "58" -> 58); nullopt if it has none.
std::optional<int64_t> RunNumberOf(const std::string& id);
// Runs are sharded by thousands so no tree on the branch grows past ~1,000
// entries: run 58 lives in "runs/000/fraud-58", run 12345 in "runs/012/...".
std::string ShardOf(int64_t number);
std::string RunDir(const std::string& id, int64_t number);      // "runs/000/fraud-58"
std::string RecordPath(const std::string& id, int64_t number);  // ".../run.yaml"
inline constexpr const char* kRunsDir = "runs";
inline constexpr const char* kRecordFile = "run.yaml";
inline constexpr const char* kOutputFile = "output.log";
inline constexpr const char* kMetricsDir = "metrics";
// File name of a metric's series: keys may hold '/', ' ' and so on.
std::string SeriesFileName(const std::string& metric_key);

// Reorders the top-level keys (and the well-known nested ones) into the
// canonical order; unknown keys keep their relative order after the known ones.
Json Canonical(const Json& record);
std::string Serialize(const Json& record);  // canonical YAML
StatusOr<Json> Parse(const std::string& yaml_text, const std::string& what);

// Text form of a scalar value as people and `params.x = '...'` queries see it.
std::string ScalarText(const Json& v);
// Typed value of a string given on a command line: int, float, bool or string.
Json TypedValue(const std::string& text);

// Convenience accessors with defaults.
std::string GetString(const Json& j, const char* key);
double GetNumber(const Json& j, const char* key, double fallback = 0);

}  // namespace trail::record
