// Sweep records on the runs branch: sweeps/<id>/sweep.yaml, one per sweep,
// beside runs/. A sweep's id is "<project>-sweep-<n>", n counting from 1.
// The record holds the spec as written, the seed, the searched space, every
// trial (id, status, objective value, params) and the best so far; it is
// rewritten (one commit) after each trial. The trials themselves are ordinary
// runs whose `parent` is the sweep id: they, not this file, are what a
// resumed sweep rebuilds its model from.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "project/project.h"
#include "trail/status.h"

namespace trail::sweep {

inline constexpr const char* kSweepsDir = "sweeps";
inline constexpr const char* kSweepFile = "sweep.yaml";

std::string SweepPath(const std::string& id);

// Gives `record` the next free id and number and commits it, under the
// writer lock so two sweeps started at once get different ids.
StatusOr<Json> CreateSweep(Project& project, Json record);

// Reads a sweep by id ("fraud-sweep-2") or number ("2").
StatusOr<Json> LoadSweep(Project& project, const std::string& id_or_number);

// Commits `record` at its path (one commit, under the writer lock).
Status SaveSweep(Project& project, const Json& record, const std::string& message);

// Every sweep on the branch, by number.
StatusOr<std::vector<Json>> ListSweeps(Project& project);

}  // namespace trail::sweep
