// `trail apply ID`: a run's code and data brought into the user's working tree, to continue from
// it (docs/reproduce.md, "trail apply"). DVC's `exp apply`, done safely: every path apply would
// write or delete is checked before the first write, and the user's uncommitted work (modified or
// staged tracked files, untracked files, data the store does not hold) is never overwritten.
//
// Without a branch, the working tree's files become the snapshot's; HEAD, the checked-out branch
// and the index do not move, so the run's changes show as uncommitted changes. With a branch, a
// new branch is made at the snapshot commit and checked out by Git (which refuses as it always
// does). Then the run's data inputs are restored at their recorded paths and the data of the
// snapshot's pointer files is checked out.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "project/project.h"
#include "tracked/run_restore.h"
#include "trail/status.h"

namespace trail::reproduce {

// One file of a Git tree, as `git ls-tree -r` lists it.
struct TreeFile {
  std::string mode;  // "100644", "100755", "120000" (a symbolic link), "160000" (a submodule)
  std::string oid;   // the blob's id (hex)
  bool operator==(const TreeFile&) const = default;
};
using TreeFiles = std::map<std::string, TreeFile>;  // by path relative to the root

// What is in the working tree at a path, compared with the snapshot's file there.
struct WorkFile {
  enum class State {
    kAbsent,   // nothing there
    kMatches,  // the snapshot's content (and kind: file or link) is already there
    kDiffers,  // a file or link with other content
    kBlocked,  // a folder there, or a part of the path is a link or not a folder
  };
  State state = State::kAbsent;
  std::string why;  // kBlocked: what is in the way
};

// Looks at the working tree's `path`; `want` is the snapshot's file there (null: none).
using WorkProbe = std::function<WorkFile(const std::string& path, const TreeFile* want)>;

struct Conflict {
  std::string path;
  std::string why;  // "modified", "staged", "untracked", "ignored", or what blocks the path
};

struct ApplyPlan {
  std::vector<std::string> changed;  // in HEAD and the snapshot, with other content: rewritten
  std::vector<std::string> added;    // in the snapshot only: created
  std::vector<std::string> deleted;  // in HEAD only (the run ran without them): removed
  std::vector<Conflict> conflicts;   // the user's work in the way; anything here stops apply
};

// Decides, from HEAD's files, the snapshot's, the user's work (`git status`: path -> "modified",
// "staged" or "untracked") and the working tree (`probe`), what apply writes and deletes. A path
// already as the snapshot has it is left alone; one the snapshot and HEAD both lack (an untracked
// file the run never knew) too. Any other path whose current content is the user's (in
// `user_work`, or an ignored file that would be overwritten) is a conflict. Submodules are left
// alone. Sorted by path.
ApplyPlan PlanApply(const TreeFiles& head, const TreeFiles& snapshot,
                    const std::map<std::string, std::string>& user_work, const WorkProbe& probe);

struct ApplyOptions {
  std::string branch;  // not empty: create this branch at the snapshot commit and switch to it
  bool stash = false;  // first `git stash push --include-untracked` the user's changes
};

struct ApplyOutcome {
  std::string id;
  std::string snapshot;  // the commit applied
  std::string branch;    // the branch created (--branch)
  bool stashed = false;
  std::string stash_message;  // the stash's message, as `git stash list` shows it
  ApplyPlan files;            // what was written and deleted (conflicts empty)
  std::vector<DataInputRestore> data;
  std::vector<std::string> checked_out;  // pointer-file data restored from the store
  std::vector<std::string> warnings;     // data that could not be brought back, one line each
};

// Applies the run's snapshot to the project's working tree (see the top of this file).
// NotFound for an unknown run; FailedPrecondition for a run without a snapshot, a snapshot not in
// this clone (`trail pull`), the runs branch checked out, an existing branch name, or conflicts:
// "one line\n  path (why)\n..." naming each; Corrupt or InvalidArgument for a record or snapshot
// that names an unsafe path. Nothing is written when any of these is returned.
StatusOr<ApplyOutcome> ApplyRun(Project& project, const std::string& run, const ApplyOptions& options);

}  // namespace trail::reproduce
