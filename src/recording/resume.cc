#include "recording/resume.h"

#include <cmath>
#include <set>

#include "base/clock.h"
#include "base/files.h"
#include "metrics/protocol_line.h"
#include "metrics/series_tsv.h"
#include "record/live_files.h"
#include "record/record.h"

namespace trail {
namespace {

// As much output as a record keeps (output.log): the child's tail is this long too.
constexpr size_t kOutputKeepBytes = 64 * 1024;

// Keys of a record that describe one attempt's outcome or what it produced at the end; a
// resumed attempt starts without them and FinishResumedAttempt/CollectRun set them again.
constexpr const char* kOutcomeKeys[] = {"status",     "exit_code", "signal",  "pruned", "ended",
                                        "duration_s", "attempts",  "metrics", "output", "warnings"};

double RoundMs(double seconds) { return std::round(seconds * 1000.0) / 1000.0; }

bool IsHexCommit(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The first attempt of a run that was never resumed, from its record.
Json AttemptOf(const Json& rec) {
  Json a = Json::object();
  a["started"] = record::GetString(rec, "started");
  a["ended"] = record::GetString(rec, "ended");
  a["duration_s"] = record::GetNumber(rec, "duration_s");
  a["status"] = record::GetString(rec, "status");
  if (rec.contains("exit_code") && rec["exit_code"].is_number_integer()) a["exit_code"] = rec["exit_code"];
  if (rec.contains("signal") && rec["signal"].is_number_integer()) a["signal"] = rec["signal"];
  if (std::string snapshot = SnapshotOf(rec); !snapshot.empty()) a["snapshot"] = snapshot;
  return a;
}

Status CheckResumable(const Json& rec, const std::string& id, bool force) {
  const std::string status = record::GetString(rec, "status");
  if (status == record::kCrashed || status == record::kKilled || status == record::kFailed || status == record::kPruned)
    return Status::Ok();
  if (status == record::kFinished) {
    if (force) return Status::Ok();
    return FailedPrecondition(id + " finished; --force to reopen it");
  }
  return FailedPrecondition("cannot resume " + id + ": its status is '" + status +
                            "' (only crashed, killed, failed or pruned runs, or finished ones with --force)");
}

}  // namespace

std::string SnapshotOf(const Json& rec) {
  if (!rec.is_object() || !rec.contains("code") || !rec["code"].is_object()) return "";
  std::string snapshot = record::GetString(rec["code"], "snapshot");
  return IsHexCommit(snapshot) ? snapshot : "";
}

StatusOr<ReopenedRun> ReopenRun(Project& project, const std::string& ref, bool force) {
  // Under the writer lock, so two resumes of one run cannot both create its live folder, and
  // no commit changes the record between the checks and the reopening.
  TRAIL_ASSIGN_OR_RETURN(FileLock writers, project.LockWriters());
  StatusOr<StoredRun> loaded = project.LoadRun(ref);
  if (!loaded.ok()) {
    if (loaded.status().code() == Code::kNotFound) return NotFound("no run " + ref + " to resume");
    return loaded.status();
  }
  ReopenedRun out;
  out.previous = std::move(*loaded);
  const Json& rec = out.previous.record;
  // The record may come from another clone: its id becomes a folder name here, so it must be
  // a run id whose number and place on the branch agree.
  const std::string id = record::GetString(rec, "id");
  const int64_t number = rec.contains("number") && rec["number"].is_number_integer() ? rec["number"].get<int64_t>() : 0;
  if (!IsRunFolder(id) || id.find('/') != std::string::npos || id.find("..") != std::string::npos ||
      record::RunNumberOf(id) != number || out.previous.dir != record::RunDir(id, number))
    return Corrupt("cannot resume " + ref + ": its record's id '" + id + "' and number do not name its folder " +
                   out.previous.dir);
  TRAIL_RETURN_IF_ERROR(CheckResumable(rec, id, force));
  Env& env = project.env();
  const std::string dir = JoinPath(project.live_dir(), id);
  if (auto lock = env.TryLock(JoinPath(dir, record::live::kLockFile), /*create=*/false); lock.ok()) {
    if (!lock->held()) return FailedPrecondition(id + " is running now (.trail/live/" + id + "); it cannot be resumed");
    // Its recorder and program are gone but it is not recorded yet: the next trail command's
    // recovery records it; resuming now would lose what it holds.
    return FailedPrecondition(id + " is being recorded (.trail/live/" + id + " was left by a trail that died); " +
                              "run any trail command and resume it then");
  }
  TRAIL_ASSIGN_OR_RETURN(out.run, CreateLiveFolder(env, project.live_dir(), id, number));
  return out;
}

Json ResumedStartRecord(const Json& old_record, const Json& fresh) {
  Json rec = old_record;
  for (const char* key : kOutcomeKeys) rec.erase(key);
  for (auto it = fresh.begin(); it != fresh.end(); ++it) {
    const std::string& key = it.key();
    if (key == "id" || key == "number" || key == "uid" || key == "started" || key == "parent") continue;
    if (key == "params" || key == "tags") {
      if (!rec.contains(key) || !rec[key].is_object()) rec[key] = Json::object();
      for (auto p = it.value().begin(); p != it.value().end(); ++p) rec[key][p.key()] = p.value();
      continue;
    }
    if (key == "functions" && it.value().is_array() && rec.contains("functions") && rec["functions"].is_array()) {
      // The new scan's, plus what earlier attempts logged with log_function that it cannot see.
      Json functions = it.value();
      for (const Json& f : rec["functions"]) {
        if (!f.is_object() || !f.contains("found") || !f["found"].is_array()) continue;
        bool logged = false, scanned = false;
        for (const Json& how : f["found"]) logged = logged || how == "log_function";
        for (const Json& g : functions)
          scanned = scanned || (g.is_object() && record::GetString(g, "category") == record::GetString(f, "category") &&
                                record::GetString(g, "name") == record::GetString(f, "name"));
        if (logged && !scanned) functions.push_back(f);
      }
      rec["functions"] = functions;
      continue;
    }
    if (key == "data" && it.value().is_array() && rec.contains("data") && rec["data"].is_array()) {
      std::set<std::string> roles;
      for (const Json& d : it.value())
        if (d.is_object()) roles.insert(record::GetString(d, "role"));
      Json data = Json::array();
      for (const Json& d : rec["data"])
        if (!d.is_object() || !roles.count(record::GetString(d, "role"))) data.push_back(d);
      for (const Json& d : it.value()) data.push_back(d);
      rec["data"] = data;
      continue;
    }
    rec[key] = it.value();
  }
  rec["status"] = record::kRunning;
  return rec;
}

StatusOr<int64_t> SeedResumedRun(Project& project, const LiveRun& run, const StoredRun& previous,
                                 double attempt_started, std::vector<std::string>* warnings) {
  const Json& old = previous.record;
  int64_t last_step = -1;
  std::string own, parsed, sampled;
  if (old.contains("metrics") && old["metrics"].is_object() && old["metrics"].contains("series") &&
      old["metrics"]["series"].is_object()) {
    const Json& metrics = old["metrics"];
    const Json origin = metrics.value("origin", Json::object());
    for (auto it = metrics["series"].begin(); it != metrics["series"].end(); ++it) {
      // A series that cannot be read would be lost by the next commit: refuse instead.
      StatusOr<std::string> tsv = project.ReadSeries(previous, it.value());
      if (!tsv.ok())
        return Status(tsv.status().code(), "cannot resume " + run.id + ": its metric " + it.key() +
                                               " cannot be read (" + tsv.status().message() + ")");
      StatusOr<std::vector<metrics::Point>> points = metrics::SeriesFromTsv(*tsv);
      if (!points.ok())
        return Corrupt("cannot resume " + run.id + ": its metric " + it.key() + ": " + points.status().message());
      const Json source = origin.is_object() ? origin.value(it.key(), Json()) : Json();
      // The system sampler's series go back to its file, where the program's own names still
      // hide them; their steps are sample indices, not the program's steps to resume from.
      const bool sampler = source == "system";
      std::string& out = source == "output" ? parsed : sampler ? sampled : own;
      const std::string json_key = Json(it.key()).dump();
      for (const metrics::Point& p : *points) {
        metrics::AppendProtocolLine(&out, p.step, p.time, json_key, p.value);
        if (!sampler && p.step > last_step) last_step = p.step;
      }
    }
  }
  Env& env = *run.env;
  if (!own.empty()) TRAIL_RETURN_IF_ERROR(WriteFileAtomic(env, run.path(record::live::kMetricsFile), own));
  if (!parsed.empty()) TRAIL_RETURN_IF_ERROR(WriteFileAtomic(env, run.path(record::live::kOutputMetricsFile), parsed));
  if (!sampled.empty())
    TRAIL_RETURN_IF_ERROR(WriteFileAtomic(env, run.path(record::live::kSystemMetricsFile), sampled));
  if (old.contains("output")) {
    auto text = project.repo().ReadFileAt(previous.tip, previous.dir + "/" + record::kOutputFile);
    if (text.ok()) {
      TRAIL_RETURN_IF_ERROR(WriteFileAtomic(env, run.path(record::live::kPreviousOutputFile), *text));
    } else if (warnings) {
      warnings->push_back("the output of " + run.id + "'s earlier attempts cannot be read: " + text.status().message());
    }
  }
  Json attempts = Json::array();
  if (old.contains("attempts") && old["attempts"].is_array() && !old["attempts"].empty())
    attempts = old["attempts"];
  else
    attempts.push_back(AttemptOf(old));
  Json state = Json::object();
  state["attempts"] = attempts;
  state["attempt_started"] = attempt_started;
  state["last_step"] = last_step;
  TRAIL_RETURN_IF_ERROR(WriteFileAtomic(env, run.path(record::live::kResumeFile), state.dump()));
  return last_step;
}

void FinishResumedAttempt(const LiveRun& run, Json& rec, std::string& output_tail) {
  Env& env = *run.env;
  auto text = env.ReadFile(run.path(record::live::kResumeFile));
  if (!text.ok()) return;
  Json state = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!state.is_object()) return;
  Json attempts = state.contains("attempts") && state["attempts"].is_array() ? state["attempts"] : Json::array();
  const double started = state.contains("attempt_started") && state["attempt_started"].is_number()
                             ? state["attempt_started"].get<double>()
                             : env.NowUnixSeconds();
  double ended = ParseIsoTime(record::GetString(rec, "ended")).value_or(started);
  if (ended < started) ended = started;
  Json attempt = Json::object();
  attempt["started"] = FormatIsoTime(started);
  attempt["ended"] = FormatIsoTime(ended);
  attempt["duration_s"] = RoundMs(ended - started);
  attempt["status"] = record::GetString(rec, "status");
  if (rec.contains("exit_code")) attempt["exit_code"] = rec["exit_code"];
  if (rec.contains("signal")) attempt["signal"] = rec["signal"];
  if (rec.contains("code") && rec["code"].is_object() && rec["code"].contains("snapshot"))
    attempt["snapshot"] = rec["code"]["snapshot"];
  attempts.push_back(attempt);
  double total = 0;
  for (const Json& a : attempts)
    if (a.is_object()) total += record::GetNumber(a, "duration_s");
  rec["duration_s"] = RoundMs(total);
  rec["attempts"] = attempts;

  std::string output = env.ReadFile(run.path(record::live::kPreviousOutputFile)).value_or("");
  if (!output.empty() && output.back() != '\n') output += '\n';
  output += "--- trail: resumed " + FormatIsoTime(started) + " ---\n";
  output += output_tail;
  if (output.size() > kOutputKeepBytes) output.erase(0, output.size() - kOutputKeepBytes);
  output_tail = std::move(output);
}

size_t AttemptCount(const Json& rec) {
  if (rec.is_object() && rec.contains("attempts") && rec["attempts"].is_array() && !rec["attempts"].empty())
    return rec["attempts"].size();
  return 1;
}

}  // namespace trail
