#include "sync/runs_merge.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "base/numbers.h"
#include "base/yaml.h"
#include "record/record.h"
#include "recording/run_numbers.h"
#include "sync/model_merge.h"

namespace trail {
namespace {

constexpr int kMaxRefRaces = 10;
// Where sweep records live on the branch (sweep/sweep_store.h; core cannot use that layer).
constexpr std::string_view kSweepsPrefix = "sweeps/";
constexpr std::string_view kSweepSuffix = "/sweep.yaml";  // each lost race means another local writer's commit landed

// "runs/<shard>/<id>" for a path under a run's folder, else "".
std::string RunFolderOf(const std::string& path) {
  if (!path.starts_with(std::string(record::kRunsDir) + "/")) return "";
  size_t shard_end = path.find('/', 5);
  if (shard_end == std::string::npos) return "";
  size_t id_end = path.find('/', shard_end + 1);
  if (id_end == std::string::npos) return "";
  return path.substr(0, id_end);
}

std::string IdOfFolder(const std::string& folder) { return folder.substr(folder.find_last_of('/') + 1); }

bool IsSweepRecord(const std::string& path) { return path.starts_with(kSweepsPrefix) && path.ends_with(kSweepSuffix); }

// "sweeps/<id>" for a path under a sweep's folder, else "".
std::string SweepFolderOf(const std::string& path) {
  if (!path.starts_with(kSweepsPrefix)) return "";
  const size_t end = path.find('/', kSweepsPrefix.size());
  return end == std::string::npos ? "" : path.substr(0, end);
}

// The n of "<project>-sweep-<n>", or 0.
int64_t SweepNumberOf(const std::string& id) {
  const size_t at = id.rfind("-sweep-");
  if (at == std::string::npos) return 0;
  return ParseInt(id.substr(at + 7)).value_or(0);
}

int64_t MaxSweepNumberIn(Project& project, const std::string& commit) {
  int64_t best = 0;
  auto entries = project.repo().ListDir(commit, std::string(kSweepsPrefix.substr(0, kSweepsPrefix.size() - 1)));
  if (entries.ok())
    for (const auto& e : *entries) best = std::max(best, SweepNumberOf(e.name));
  return best;
}

StatusOr<std::string> UidAt(Project& project, const std::string& commit, const std::string& record_path) {
  TRAIL_ASSIGN_OR_RETURN(std::string text, project.repo().ReadFileAt(commit, record_path));
  TRAIL_ASSIGN_OR_RETURN(Json rec, record::Parse(text, record_path));
  return record::GetString(rec, "uid");
}

// Replaces the top-level line "<key>: <from>" by "<key>: <to>" (and, with `then`, adds that
// line after it). Nothing else in the text changes.
bool ReplaceTopLevelLine(std::string& text, const std::string& key, const std::string& from, const std::string& to,
                         const std::string& then = "") {
  const std::string old_line = key + ": " + from + "\n";
  size_t at = 0;
  if (!text.starts_with(old_line)) {
    at = text.find("\n" + old_line);
    if (at == std::string::npos) return false;
    ++at;
  }
  text.replace(at, old_line.size(), key + ": " + to + "\n" + then);
  return true;
}

// A run record with its renumbering fields changed and every other byte as it was. Falls back
// to a canonical rewrite if the text is not laid out as trail writes it.
StatusOr<std::string> RenumberRecord(const std::string& text, const std::string& path, const std::string& old_id,
                                     int64_t old_number, const std::string& new_id, int64_t new_number) {
  TRAIL_ASSIGN_OR_RETURN(Json before, record::Parse(text, path));
  const std::string old_ref = "refs/trail/code/" + old_id, new_ref = "refs/trail/code/" + new_id;
  std::string edited = text;
  bool ok = ReplaceTopLevelLine(edited, "id", old_id, new_id) &&
            ReplaceTopLevelLine(edited, "number", std::to_string(old_number), std::to_string(new_number),
                                before.contains("renumbered_from") ? "" : "renumbered_from: " + old_id + "\n");
  const bool has_ref = before.contains("code") && record::GetString(before["code"], "ref") == old_ref;
  if (ok && has_ref) {
    const std::string line = "\n  ref: " + old_ref + "\n";
    const size_t at = edited.find(line);
    ok = at != std::string::npos;
    if (ok) edited.replace(at, line.size(), "\n  ref: " + new_ref + "\n");
  }
  Json expected = before;
  expected["id"] = new_id;
  expected["number"] = new_number;
  if (!expected.contains("renumbered_from")) expected["renumbered_from"] = old_id;
  if (has_ref) expected["code"]["ref"] = new_ref;
  if (ok) {
    StatusOr<Json> after = record::Parse(edited, path);
    if (after.ok() && *after == expected) return edited;
  }
  return record::Serialize(expected);
}

// Renames, in a record this clone wrote, the top-level fields that name other runs.
std::string RenameRunReferences(std::string text, const std::map<std::string, std::string>& renamed) {
  for (const auto& [from, to] : renamed)
    for (const char* key : {"parent", "reproduces"}) ReplaceTopLevelLine(text, key, from, to);
  return text;
}

// A sweep record with its trials' ids (and best's) renamed.
StatusOr<std::string> RenameSweepTrials(const std::string& text, const std::string& path,
                                        const std::map<std::string, std::string>& renamed) {
  TRAIL_ASSIGN_OR_RETURN(Json sweep, ParseYaml(text, path));
  bool changed = false;
  auto rename = [&](Json& trial) {
    if (!trial.is_object() || !trial.contains("id") || !trial["id"].is_string()) return;
    auto it = renamed.find(trial["id"].get<std::string>());
    if (it == renamed.end()) return;
    trial["id"] = it->second;
    changed = true;
  };
  if (sweep.is_object() && sweep.contains("trials") && sweep["trials"].is_array())
    for (Json& trial : sweep["trials"]) rename(trial);
  if (sweep.is_object() && sweep.contains("best")) rename(sweep["best"]);
  return changed ? EmitYaml(sweep) : text;
}

// A sweep record that moves to `new_id`: its id and number change, renumbered_from names the old
// id, its trials follow their runs.
StatusOr<std::string> RenumberSweep(const std::string& text, const std::string& path, const std::string& old_id,
                                    const std::string& new_id, int64_t new_number,
                                    const std::map<std::string, std::string>& renamed) {
  TRAIL_ASSIGN_OR_RETURN(Json sweep, ParseYaml(text, path));
  if (!sweep.is_object()) return Corrupt(path + ": expected a mapping");
  sweep["id"] = new_id;
  sweep["number"] = new_number;
  if (!sweep.contains("renumbered_from")) sweep["renumbered_from"] = old_id;
  std::string renumbered = EmitYaml(sweep);
  return RenameSweepTrials(renumbered, path, renamed);
}

// A run or sweep folder, on the local branch (from) or in the merge (to).
struct Place {
  std::string folder;  // runs/<shard>/<id> or sweeps/<id>
  std::string id;
  int64_t number = 0;
};
struct Move {
  bool sweep = false;
  Place from, to;
};

// The merge of `local` and `remote` (their merge base `base`, "" when unrelated) as writes on
// top of `remote`'s tree, and the local runs and sweeps whose ids the remote uses for others.
class MergePlan {
 public:
  MergePlan(Project& project, std::string local, std::string remote, std::string base)
      : project_(project), local_(std::move(local)), remote_(std::move(remote)), base_(std::move(base)) {}

  Status Build() {
    git::Repo& repo = project_.repo();
    TRAIL_ASSIGN_OR_RETURN(std::vector<git::Change> ours, repo.DiffFiles(base_, local_, "", ""));
    TRAIL_ASSIGN_OR_RETURN(std::vector<git::Change> theirs, repo.DiffFiles(base_, remote_, "", ""));
    for (const git::Change& c : theirs) their_new_[c.path] = c.new_oid;
    TRAIL_RETURN_IF_ERROR(FindCollisions(ours));
    for (const git::Change& c : ours) {
      if (colliding_.count(RunFolderOf(c.path)) || colliding_sweeps_.count(SweepFolderOf(c.path)) ||
          colliding_versions_.count(c.path))
        continue;  // moved as a whole below
      auto it = their_new_.find(c.path);
      if (it != their_new_.end()) {
        if (it->second == c.new_oid) continue;  // the same change on both sides
        return FailedPrecondition("cannot merge the runs branch: " + c.path +
                                  " was changed both here and on the remote; nothing was merged");
      }
      applied_.push_back(c);
    }
    return Status::Ok();
  }

  const std::set<std::string>& colliding() const { return colliding_; }
  const std::set<std::string>& colliding_sweeps() const { return colliding_sweeps_; }
  // Model version records both sides added (path -> local blob): model_merge.h.
  const std::map<std::string, std::string>& colliding_versions() const { return colliding_versions_; }

  // The writes for the merge commit, once `renamed` (old id -> new id) is known.
  StatusOr<std::vector<git::FileWrite>> Writes(const std::map<std::string, std::string>& renamed,
                                               const std::vector<Move>& moves,
                                               const std::vector<ModelVersionMove>& version_moves) {
    git::Repo& repo = project_.repo();
    std::vector<git::FileWrite> writes;
    for (const git::Change& c : applied_) {
      if (c.new_oid.empty()) {
        writes.push_back({c.path, "", /*remove=*/true});
        continue;
      }
      TRAIL_ASSIGN_OR_RETURN(std::string content, repo.ReadBlob(c.new_oid));
      if (!renamed.empty() && IsSweepRecord(c.path)) {
        TRAIL_ASSIGN_OR_RETURN(content, RenameSweepTrials(content, c.path, renamed));
      } else if (!renamed.empty() && c.old_oid.empty() && c.path.ends_with(std::string("/") + record::kRecordFile)) {
        // A run recorded here names runs of this clone.
        content = RenameRunReferences(std::move(content), renamed);
      } else if (c.old_oid.empty()) {
        TRAIL_ASSIGN_OR_RETURN(content, FollowMovedVersions(repo, c.path, content, version_moves));
        TRAIL_ASSIGN_OR_RETURN(content, FollowRenamedRun(c.path, content, renamed));
      }
      writes.push_back({c.path, std::move(content)});
    }
    TRAIL_ASSIGN_OR_RETURN(std::vector<git::FileWrite> versions, MovedVersionWrites(repo, version_moves, renamed));
    for (git::FileWrite& w : versions) writes.push_back(std::move(w));
    for (const Move& move : moves) {
      const Place& from = move.from;
      const Place& to = move.to;
      Status walked =
          repo.ForEachFile(local_, from.folder, "", [&](const std::string& path, const std::string& oid) -> Status {
            TRAIL_ASSIGN_OR_RETURN(std::string content, repo.ReadBlob(oid));
            const std::string rel = path.substr(from.folder.size());
            if (move.sweep && path.ends_with(kSweepSuffix)) {
              TRAIL_ASSIGN_OR_RETURN(content, RenumberSweep(content, path, from.id, to.id, to.number, renamed));
            } else if (!move.sweep && rel == std::string("/") + record::kRecordFile) {
              TRAIL_ASSIGN_OR_RETURN(content, RenumberRecord(content, path, from.id, from.number, to.id, to.number));
              content = RenameRunReferences(std::move(content), renamed);
            }
            writes.push_back({to.folder + rel, std::move(content)});
            return Status::Ok();
          });
      TRAIL_RETURN_IF_ERROR(walked);
    }
    return writes;
  }

 private:
  // A run folder this clone added whose id the remote has for a run with another uid; a sweep
  // this clone created whose id the remote has for another sweep.
  Status FindCollisions(const std::vector<git::Change>& ours) {
    for (const git::Change& c : ours) {
      if (c.old_oid.empty()) {
        auto theirs = their_new_.find(c.path);
        if (theirs != their_new_.end()) {
          TRAIL_ASSIGN_OR_RETURN(bool version, IsVersionCollision(project_.repo(), c.path, c.new_oid, theirs->second));
          if (version) {
            colliding_versions_[c.path] = c.new_oid;
            continue;
          }
        }
      }
      if (IsSweepRecord(c.path) && c.old_oid.empty()) {
        auto theirs = their_new_.find(c.path);
        if (theirs != their_new_.end() && !theirs->second.empty() && theirs->second != c.new_oid)
          colliding_sweeps_.insert(SweepFolderOf(c.path));
        continue;
      }
      const std::string folder = RunFolderOf(c.path);
      if (folder.empty() || c.path != folder + "/" + record::kRecordFile || !c.old_oid.empty()) continue;
      StatusOr<std::string> theirs = UidAt(project_, remote_, c.path);
      if (!theirs.ok()) {
        if (theirs.status().code() == Code::kNotFound) continue;  // the remote lacks it: no collision
        return theirs.status();
      }
      TRAIL_ASSIGN_OR_RETURN(std::string mine, UidAt(project_, local_, c.path));
      if (mine != *theirs) colliding_.insert(folder);
    }
    return Status::Ok();
  }

  Project& project_;
  const std::string local_, remote_, base_;
  std::map<std::string, std::string> their_new_;  // path -> blob on the remote ("" = deleted)
  std::set<std::string> colliding_, colliding_sweeps_;
  std::map<std::string, std::string> colliding_versions_;
  std::vector<git::Change> applied_;
};

std::string MergeMessage(const std::string& remote_name, const RunsMergeResult& result) {
  std::string message = "trail: merge runs from " + remote_name;
  if (result.renumbered.empty() && result.renumbered_versions.empty()) return message;
  message += "\n\nRenumbered, their ids being taken on " + remote_name + ":\n";
  for (const auto& [from, to] : result.renumbered) message += "  " + from + " -> " + to + "\n";
  for (const auto& v : result.renumbered_versions)
    message += "  model " + v.name + " version " + std::to_string(v.from) + " -> " + std::to_string(v.to) + "\n";
  return message;
}

// One attempt at the merge; nullopt when another writer moved the branch meanwhile.
StatusOr<std::optional<RunsMergeResult>> TryMerge(Project& project, const std::string& remote_tip,
                                                  const std::string& remote_name) {
  git::Repo& repo = project.repo();
  const std::string ref = project.runs_ref();
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> local, repo.ResolveRef(ref));
  RunsMergeResult result;
  const std::string message = "trail: runs from " + remote_name;
  if (local && (*local == remote_tip || repo.IsAncestor(remote_tip, *local)))
    return std::optional<RunsMergeResult>(result);
  if (!local || repo.IsAncestor(*local, remote_tip)) {
    TRAIL_ASSIGN_OR_RETURN(bool moved, repo.MoveRef(ref, remote_tip, local.value_or(""), message));
    if (!moved) return std::optional<RunsMergeResult>();
    result.kind = RunsMergeResult::Kind::kFastForward;
    return std::optional<RunsMergeResult>(result);
  }
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> base, repo.MergeBase(*local, remote_tip));
  MergePlan plan(project, *local, remote_tip, base.value_or(""));
  TRAIL_RETURN_IF_ERROR(plan.Build());

  // New numbers in the order of the old ones, above everything either side has.
  std::vector<Move> moves;
  std::map<std::string, std::string> renamed;
  for (const std::string& folder : plan.colliding()) {
    const std::string id = IdOfFolder(folder);
    moves.push_back({false, {folder, id, record::RunNumberOf(id).value_or(0)}, {}});
  }
  for (const std::string& folder : plan.colliding_sweeps()) {
    const std::string id = IdOfFolder(folder);
    moves.push_back({true, {folder, id, SweepNumberOf(id)}, {}});
  }
  std::sort(moves.begin(), moves.end(), [](const Move& a, const Move& b) {
    return std::tie(a.sweep, a.from.number) < std::tie(b.sweep, b.from.number);
  });
  const int64_t run_floor = MaxRunNumberIn(project, remote_tip);
  int64_t sweep_number = std::max(MaxSweepNumberIn(project, *local), MaxSweepNumberIn(project, remote_tip));
  for (Move& move : moves) {
    Place& to = move.to;
    if (move.sweep) {
      // Sweeps are numbered from the branch alone (sweep/sweep_store.h), under the lock we hold.
      to.number = ++sweep_number;
      to.id = project.name() + "-sweep-" + std::to_string(to.number);
      to.folder = std::string(kSweepsPrefix) + to.id;
    } else {
      TRAIL_ASSIGN_OR_RETURN(to.number, TakeRunNumberLocked(project, run_floor));
      to.id = record::MakeRunId(project.name(), to.number);
      to.folder = record::RunDir(to.id, to.number);
    }
    renamed[move.from.id] = to.id;
    result.renumbered.emplace_back(move.from.id, to.id);
  }
  TRAIL_ASSIGN_OR_RETURN(std::vector<ModelVersionMove> version_moves,
                         PlanVersionMoves(repo, *local, remote_tip, plan.colliding_versions()));
  for (const ModelVersionMove& m : version_moves) result.renumbered_versions.push_back({m.name, m.from, m.to});
  TRAIL_ASSIGN_OR_RETURN(std::vector<git::FileWrite> writes, plan.Writes(renamed, moves, version_moves));
  TRAIL_ASSIGN_OR_RETURN(std::string merge, repo.WriteCommitOnto(remote_tip, writes, {*local, remote_tip},
                                                                 MergeMessage(remote_name, result), project.user()));
  // The new code refs exist before any record names them.
  std::vector<std::pair<std::string, std::string>> snapshots;  // old id, snapshot
  for (const Move& move : moves) {
    if (move.sweep) continue;
    const Place& from = move.from;
    const Place& to = move.to;
    auto snapshot = repo.ResolveRef("refs/trail/code/" + from.id);
    if (!snapshot.ok() || !*snapshot) continue;
    TRAIL_RETURN_IF_ERROR(repo.SetRef("refs/trail/code/" + to.id, **snapshot, "trail: code of " + to.id));
    snapshots.emplace_back(from.id, **snapshot);
  }
  TRAIL_ASSIGN_OR_RETURN(bool moved, repo.MoveRef(ref, merge, *local, "trail: merge runs from " + remote_name));
  if (!moved) return std::optional<RunsMergeResult>();
  for (const auto& [old_id, snapshot] : snapshots) DropCodeRefIfOurs(project, old_id, snapshot);
  result.kind = RunsMergeResult::Kind::kMerged;
  return std::optional<RunsMergeResult>(result);
}

}  // namespace

StatusOr<RunsMergeResult> MergeRemoteRuns(Project& project, const std::string& remote_tip,
                                          const std::string& remote_name) {
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, project.LockWriters());
  for (int attempt = 0; attempt < kMaxRefRaces; ++attempt) {
    TRAIL_ASSIGN_OR_RETURN(std::optional<RunsMergeResult> merged, TryMerge(project, remote_tip, remote_name));
    if (merged) return *merged;
  }
  return FailedPrecondition("cannot merge the runs branch: " + project.runs_ref() + " kept moving");
}

}  // namespace trail
