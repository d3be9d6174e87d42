// Run numbers: the one allocator (docs/formats/live-runs.md, "Run numbers"). A new run, a run
// whose number was taken meanwhile when it is committed, and a run fetched from another clone
// under a number this clone already used all get theirs from TakeRunNumberLocked.
#pragma once

#include <cstdint>
#include <string>

#include "project/project.h"
#include "trail/status.h"

namespace trail {

// The highest run number recorded in `commit` of the runs branch; 0 when it has none.
int64_t MaxRunNumberIn(Project& project, const std::string& commit);

// The next run number above `floor`: above the counter (every number ever handed out here),
// the runs branch and every live run; saved in the counter before it is returned. The caller
// holds project.LockWriters().
StatusOr<int64_t> TakeRunNumberLocked(Project& project, int64_t floor = 0);

// Deletes refs/trail/code/<old_id> if it points at `snapshot`: the code ref of a run that now
// has another id. The old name belongs to another clone's run, whose ref must be able to come in.
void DropCodeRefIfOurs(Project& project, const std::string& old_id, const std::string& snapshot);

}  // namespace trail
