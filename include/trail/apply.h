// `trail apply ID` (docs/reproduce.md, "trail apply"): a run's code snapshot and data brought into
// the project's working tree to continue from it, never over the user's uncommitted work.
#pragma once

#include <string>
#include <vector>

#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

struct ApplyRequest {
  std::string run;     // id, number or uid
  std::string branch;  // not empty: create this branch at the snapshot commit and switch to it
  bool stash = false;  // first `git stash push --include-untracked` the user's changes
};

// One data input of the run (its `data:` entry) and what became of it at its recorded path.
struct AppliedData {
  std::string role;
  std::string path;     // the recorded source, relative to the root
  std::string oid;      // as recorded, "sha256:..."; empty for a URL
  std::string state;    // "restored", "present", "missing", "url"
  std::string problem;  // "missing", "url": one line naming the input and why
};

struct ApplyResult {
  std::string id;
  std::string snapshot;  // the commit applied
  std::string branch;    // the branch created and checked out (request.branch)
  bool stashed = false;
  std::string stash_message;  // as `git stash list` shows it
  // Files the working tree got from the snapshot, relative to the root, compared with HEAD:
  std::vector<std::string> changed, added, deleted;
  std::vector<AppliedData> data;
  std::vector<std::string> checked_out;  // data of the snapshot's pointer files restored
  std::vector<std::string> warnings;     // data that could not be brought back, one line each
};

// Without a branch, the working tree's files become the snapshot's; HEAD, the branch and the
// index stay, so the run's changes show as uncommitted changes. Tracked files the snapshot lacks
// are deleted; untracked files it does not know are left alone. Then the run's data inputs are
// restored at their recorded paths and the data of the snapshot's pointer files is checked out.
// Before anything is written: FailedPrecondition naming every file that holds the user's
// uncommitted work (modified, staged, untracked, data the store lacks) that apply would replace,
// as a first line then one "  path (why)" line each, unless `stash` can put it aside; NotFound
// for an unknown run; FailedPrecondition for a run without a snapshot, a snapshot missing from
// this clone (`trail pull`) or the runs branch checked out; AlreadyExists for an existing branch;
// InvalidArgument or Corrupt for a record or snapshot naming an unsafe path.
StatusOr<ApplyResult> ApplyRun(Project& project, const ApplyRequest& request);

}  // namespace trail::api
