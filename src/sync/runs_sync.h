// Sharing runs between clones through a Git remote (docs/remotes.md, "Sharing runs between
// clones"): the runs branch and refs/trail/* (the code snapshots), moved with Git's own command
// so the user's transports and credentials apply.
//
// Both directions first fetch the remote's runs branch into the remote-tracking ref
// refs/remotes/<remote>/<branch> and its refs/trail/* into refs/trail-remotes/<remote>/*, then
// merge the remote's runs into the local branch (core/runs_merge.h: local runs whose id the
// remote already uses are renumbered) and take in the remote's code refs that this clone lacks.
// Push then sends the branch and refs/trail/* in one atomic `git push`; when another clone
// pushed in between, it fetches, merges and tries again, a bounded number of times.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "project/project.h"

namespace trail {

struct GitSyncResult {
  std::string git_remote;  // the Git remote used; "" when there was none to use
  bool ok = true;
  std::string message;  // what happened, for people: the refs moved, or why it failed or was skipped
  // Local runs and sweeps that changed id, and model versions ("NAME:N") that changed number: old, new.
  std::vector<std::pair<std::string, std::string>> renumbered;
};

// The Git remote that goes with a store remote: the one of the same name, else "origin"; ""
// when there is neither.
StatusOr<std::string> MatchingGitRemote(Project& project, const std::string& store_remote_name);

// Fetches and merges the remote's runs, then pushes the runs branch and refs/trail/* (code refs
// of live runs, and any that name another run on the remote, stay here). Never fails the
// caller: problems come back as !ok with git's last words in `message`.
GitSyncResult PushGitRefs(Project& project, const std::string& store_remote_name);
// Fetches and merges the remote's runs and takes in the code refs this clone lacks.
GitSyncResult FetchGitRefs(Project& project, const std::string& store_remote_name);

}  // namespace trail
