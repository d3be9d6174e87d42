// Merging another clone's runs into this clone's runs branch (docs/remotes.md, "Sharing runs
// between clones").
//
// Clones number their runs independently, so two clones that recorded runs offline both own
// p-1, p-2, ... . Records are separate folders, so the two histories merge without conflict
// except where both clones used the same run id. There the remote's run keeps its id (runs the
// remote has are already pushed: their ids are known to others and never change) and the
// local run takes the next free number, allocated under the writer lock like any run's.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "project/project.h"
#include "trail/status.h"

namespace trail {

struct RunsMergeResult {
  enum class Kind { kUpToDate, kFastForward, kMerged };
  Kind kind = Kind::kUpToDate;
  std::vector<std::pair<std::string, std::string>> renumbered;  // old id -> new id, by old number
  // Model versions this clone registered whose numbers the remote had taken (model_merge.h).
  struct RenumberedVersion {
    std::string name;
    int64_t from = 0, to = 0;
  };
  std::vector<RenumberedVersion> renumbered_versions;
};

// Brings `remote_tip` (the remote-tracking runs ref, e.g. refs/remotes/origin/trail) into the
// runs branch: a fast-forward when the branch has nothing of its own, else a merge commit with
// the branch and `remote_tip` as parents. Local runs the remote does not have keep their files
// byte for byte; one whose id the remote uses for another run (another uid) moves to a new
// number: its folder, `id`, `number` and `code.ref` change, `renumbered_from` names the old id,
// its code ref moves, and local-only sweep records and runs that name it follow. A sweep this
// clone created whose id the remote uses moves the same way (`id`, `number`, `renumbered_from`;
// its trials' `parent` follows). A model version this clone registered whose number the remote
// has for another version moves to the next free number (model_merge.h). Holds the
// writer lock throughout. FailedPrecondition (nothing changed) when both sides changed the same
// file other than by adding a run, e.g. both tagged one run.
StatusOr<RunsMergeResult> MergeRemoteRuns(Project& project, const std::string& remote_tip,
                                          const std::string& remote_name);

}  // namespace trail
