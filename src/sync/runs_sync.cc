#include "sync/runs_sync.h"

#include <map>
#include <set>

#include "base/text.h"
#include "git/git_command.h"
#include "recording/live_run.h"
#include "sync/runs_merge.h"

namespace trail {
namespace {

// Each retry means another clone pushed between our fetch and our push.
constexpr int kMaxPushAttempts = 5;
constexpr const char* kTrailRefs = "refs/trail/";

// The last non-empty line of git's output: usually the one that says what went wrong.
std::string LastLine(const std::string& output) {
  size_t end = output.size();
  while (end > 0) {
    while (end > 0 && (output[end - 1] == '\n' || output[end - 1] == '\r')) --end;
    size_t start = output.find_last_of("\r\n", end == 0 ? 0 : end - 1);
    start = start == std::string::npos ? 0 : start + 1;
    if (end > start) return output.substr(start, end - start);
    end = start;
  }
  return "(no output)";
}

// "git push origin ..." as people would type it, for messages.
std::string Shown(const std::vector<std::string>& args) {
  std::string shown = "git";
  for (const std::string& a : args)
    if (a != "--quiet") shown += " " + (a.find('*') != std::string::npos ? "'" + a + "'" : a);
  return shown;
}

// Where the remote's runs branch and refs/trail/* are mirrored here, whatever their state.
std::string TrackingBranch(const Project& project, const std::string& remote) {
  return "refs/remotes/" + remote + "/" + project.branch();
}
std::string TrackingTrailRefs(const std::string& remote) { return "refs/trail-remotes/" + remote + "/"; }

using RefMap = std::map<std::string, std::string>;  // full ref name -> commit

class GitRunsSync {
 public:
  GitRunsSync(Project& project, std::string remote) : project_(project), remote_(std::move(remote)) {}

  // Fetches into the tracking refs, merges the remote's runs, takes in its code refs.
  Status FetchAndMerge(std::vector<std::pair<std::string, std::string>>* renumbered) {
    TRAIL_RETURN_IF_ERROR(Fetch());
    if (remote_has_branch_) {
      TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> tip,
                             project_.repo().ResolveRef(TrackingBranch(project_, remote_)));
      if (tip) {
        TRAIL_ASSIGN_OR_RETURN(RunsMergeResult merged, MergeRemoteRuns(project_, *tip, remote_));
        renumbered->insert(renumbered->end(), merged.renumbered.begin(), merged.renumbered.end());
        for (const RunsMergeResult::RenumberedVersion& v : merged.renumbered_versions)
          renumbered->emplace_back(v.name + ":" + std::to_string(v.from), v.name + ":" + std::to_string(v.to));
      }
    }
    return AdoptCodeRefs();
  }

  // One atomic push of the branch and refs/trail/*. Sets *rejected when the remote moved.
  Status Push(bool* rejected, bool* nothing) {
    *rejected = *nothing = false;
    std::vector<std::string> args = {"push", "--atomic", "--quiet", remote_};
    const std::string branch = project_.runs_ref();
    TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> tip, project_.repo().ResolveRef(branch));
    if (tip) args.push_back(branch + ":" + branch);
    TRAIL_ASSIGN_OR_RETURN(RefMap local, ListRefs(kTrailRefs));
    if (!local.empty()) {
      args.push_back("refs/trail/*:refs/trail/*");
      // Code refs of runs still in progress, and local refs whose name the remote uses for
      // another run's code: they wait for the run's record (and, if need be, its new id).
      std::set<std::string> held = conflicting_;
      for (const Json& live : ListLiveRuns(project_)) held.insert("refs/trail/code/" + record_id(live));
      for (const std::string& ref : held)
        if (local.count(ref)) args.push_back("^" + ref);
    }
    if (args.size() == 4) {
      *nothing = true;
      return Status::Ok();
    }
    TRAIL_ASSIGN_OR_RETURN(git::GitCommandResult ran, git::RunGitCommand(project_.root(), args));
    if (ran.exit_code == 0) return Status::Ok();
    const std::string& out = ran.output;
    // Refused because the remote moved (another clone pushed first, or is pushing now).
    for (const char* moved : {"[rejected]", "fetch first", "non-fast-forward", "stale info", "cannot lock ref",
                              "failed to update ref", "incorrect old value"})
      if (out.find(moved) != std::string::npos) *rejected = true;
    return FailedPrecondition(Shown(args) + " failed: " + LastLine(out));
  }

  bool remote_has_branch() const { return remote_has_branch_; }

 private:
  static std::string record_id(const Json& start) { return start.value("id", ""); }

  Status Fetch() {
    const std::string branch = project_.runs_ref();
    std::vector<std::string> args = {"fetch",
                                     "--quiet",
                                     "--no-write-fetch-head",
                                     remote_,
                                     "+" + branch + ":" + TrackingBranch(project_, remote_),
                                     "+refs/trail/*:" + TrackingTrailRefs(remote_) + "*"};
    TRAIL_ASSIGN_OR_RETURN(git::GitCommandResult ran, git::RunGitCommand(project_.root(), args));
    remote_has_branch_ = true;
    if (ran.exit_code == 0) return Status::Ok();
    if (ran.output.find("couldn't find remote ref " + branch) == std::string::npos)
      return FailedPrecondition(Shown(args) + " failed: " + LastLine(ran.output));
    // A remote with no runs yet: nothing to merge, and it can have no code refs worth having.
    remote_has_branch_ = false;
    return Status::Ok();
  }

  // Full ref name -> commit of every ref under `prefix`.
  StatusOr<RefMap> ListRefs(const std::string& prefix) {
    TRAIL_ASSIGN_OR_RETURN(
        git::GitCommandResult ran,
        git::RunGitCommand(project_.root(), {"for-each-ref", "--format=%(objectname) %(refname)", prefix}));
    if (ran.exit_code != 0) return Internal("git for-each-ref " + prefix + " failed: " + LastLine(ran.output));
    RefMap refs;
    size_t start = 0;
    while (start < ran.output.size()) {
      size_t nl = ran.output.find('\n', start);
      if (nl == std::string::npos) nl = ran.output.size();
      const std::string line = ran.output.substr(start, nl - start);
      const size_t space = line.find(' ');
      if (space != std::string::npos) refs[line.substr(space + 1)] = line.substr(0, space);
      start = nl + 1;
    }
    return refs;
  }

  // Creates the remote's code refs this clone lacks. A resumed run's ref moves on to a snapshot
  // whose second parent is the previous one (docs/formats/run-yaml.md): when one side's commit
  // descends from the other's, the newer wins (taken here, or pushed as a fast-forward). Any
  // other commit belongs to a local run with the same id (live, or renumbered by an
  // interrupted merge): it is kept, never overwritten, and not pushed.
  Status AdoptCodeRefs() {
    conflicting_.clear();
    const std::string prefix = TrackingTrailRefs(remote_);
    TRAIL_ASSIGN_OR_RETURN(RefMap theirs, ListRefs(prefix));
    TRAIL_ASSIGN_OR_RETURN(RefMap ours, ListRefs(kTrailRefs));
    for (const auto& [tracking, commit] : theirs) {
      const std::string ref = kTrailRefs + tracking.substr(prefix.size());
      auto it = ours.find(ref);
      if (it == ours.end()) {
        TRAIL_RETURN_IF_ERROR(project_.repo().SetRef(ref, commit, "trail: from " + remote_));
      } else if (it->second != commit) {
        if (project_.repo().IsAncestor(it->second, commit)) {
          TRAIL_RETURN_IF_ERROR(project_.repo().SetRef(ref, commit, "trail: from " + remote_));
        } else if (!project_.repo().IsAncestor(commit, it->second)) {
          conflicting_.insert(ref);
        }
      }
    }
    return Status::Ok();
  }

  Project& project_;
  const std::string remote_;
  bool remote_has_branch_ = true;
  std::set<std::string> conflicting_;
};

std::string RenumberedNote(const std::vector<std::pair<std::string, std::string>>& renumbered,
                           const std::string& remote) {
  std::string note;
  for (const auto& [from, to] : renumbered) {
    // Model versions are "NAME:N" (no run or sweep id has a ':').
    const bool version = from.find(':') != std::string::npos;
    note += "\nrenumbered " + std::string(version ? "model " : "") + from + " to " + to + ": " + remote +
            " has another " +
            (version                                     ? "version "
             : from.find("-sweep-") != std::string::npos ? "sweep "
                                                         : "run ") +
            from;
  }
  return note;
}

GitSyncResult NoGitRemote(const std::string& store_remote_name, bool push) {
  GitSyncResult result;
  const std::string names = store_remote_name == "origin" ? "origin" : store_remote_name + " or origin";
  result.message =
      "no Git remote named " + names + ": runs branch and refs/trail/* not " + (push ? "pushed" : "fetched");
  return result;
}

GitSyncResult Failed(GitSyncResult result, const Status& why) {
  result.ok = false;
  result.message = RedactUrlSecrets(why.message()) + RenumberedNote(result.renumbered, result.git_remote);
  return result;
}

}  // namespace

StatusOr<std::string> MatchingGitRemote(Project& project, const std::string& store_remote_name) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> names, git::GitRemoteNames(project.root()));
  for (const std::string& candidate : {store_remote_name, std::string("origin")})
    for (const std::string& n : names)
      if (!candidate.empty() && n == candidate) return n;
  return std::string();
}

GitSyncResult PushGitRefs(Project& project, const std::string& store_remote_name) {
  GitSyncResult result;
  StatusOr<std::string> remote = MatchingGitRemote(project, store_remote_name);
  if (!remote.ok()) return Failed(result, remote.status());
  if (remote->empty()) return NoGitRemote(store_remote_name, /*push=*/true);
  result.git_remote = *remote;
  GitRunsSync sync(project, *remote);
  for (int attempt = 1;; ++attempt) {
    if (Status s = sync.FetchAndMerge(&result.renumbered); !s.ok())
      return Failed(result, s.WithContext("git push " + *remote + " not attempted"));
    bool rejected = false, nothing = false;
    Status pushed = sync.Push(&rejected, &nothing);
    if (nothing) {
      result.message = "no runs yet: no Git refs to push";
      return result;
    }
    if (pushed.ok()) break;
    if (!rejected || attempt == kMaxPushAttempts) {
      if (rejected)
        pushed = pushed.WithContext("gave up after " + std::to_string(attempt) + " tries (other clones kept pushing)");
      return Failed(result, pushed);
    }
  }
  result.message =
      "pushed runs branch and refs/trail/* to Git remote " + *remote + RenumberedNote(result.renumbered, *remote);
  return result;
}

GitSyncResult FetchGitRefs(Project& project, const std::string& store_remote_name) {
  GitSyncResult result;
  StatusOr<std::string> remote = MatchingGitRemote(project, store_remote_name);
  if (!remote.ok()) return Failed(result, remote.status());
  if (remote->empty()) return NoGitRemote(store_remote_name, /*push=*/false);
  result.git_remote = *remote;
  GitRunsSync sync(project, *remote);
  if (Status s = sync.FetchAndMerge(&result.renumbered); !s.ok()) return Failed(result, s);
  if (!sync.remote_has_branch()) {
    result.message = "Git remote " + *remote + " has no runs branch yet: no runs fetched";
    return result;
  }
  result.message =
      "fetched runs branch and refs/trail/* from Git remote " + *remote + RenumberedNote(result.renumbered, *remote);
  return result;
}

}  // namespace trail
