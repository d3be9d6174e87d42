// A run's code snapshot checked out in a separate Git worktree, where the run can be recorded again
// without touching the user's branch, index or working tree.
#pragma once

#include <string>

#include "base/yaml.h"
#include "project/project.h"
#include "trail/status.h"

namespace trail::reproduce {

// Where a reproduction of run `id` goes by default: <git common dir>/trail/reproduce/<id>. The
// folder is trail's: a later reproduction of the same run replaces it.
std::string DefaultWorktreeDir(Project& project, const std::string& id);

// The commit the run's code snapshot is: `code.snapshot`, or `refs/trail/code/<id>`, checked to be
// a commit this repository has. FailedPrecondition naming the run when it was recorded without a
// snapshot or the snapshot's objects are not here (`trail pull` brings them).
StatusOr<std::string> SnapshotCommit(Project& project, const Json& record);

// `git worktree add --detach DIR SNAPSHOT` from the project's repository; returns DIR, absolute.
// `dir` empty: DefaultWorktreeDir, replaced (`git worktree remove --force`) when a previous
// reproduction left one (FailedPrecondition while a run is still being recorded there; one whose
// recorder died is recorded as crashed first). Otherwise `dir` must not exist or be an empty folder
// (FailedPrecondition). When the snapshot holds no .trail/config.yaml, the project's is copied in,
// so that a run recorded there goes to the same runs branch and store. Nothing of the user's
// worktree (HEAD, index, files) is read or written.
StatusOr<std::string> AddSnapshotWorktree(Project& project, const std::string& id, const std::string& snapshot,
                                          const std::string& dir);

}  // namespace trail::reproduce
