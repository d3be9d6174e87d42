// `trail fsck --repair`: puts the local store back into a state where what is intact is
// visible and what is lost can be stored again (docs/store-maintenance.md, "Repair").
//
//   - a pack without a usable .idx (lost, or damaged) whose own tail verifies gets its index
//     rebuilt from the pack;
//   - a pack that is damaged (a blob that does not verify, truncated) or missing stops being
//     named by the store: the blobs that still verify are copied into a new pack, and the pack
//     and its .idx are moved to store/damaged/ (kept, never deleted). Its lost blobs are then
//     absent, so `trail add` of the original data, or `trail pull`, stores them again.
//
// Holds the store lock exclusively. Memory: one pack (about 64 MiB) and its salvaged blobs.
#pragma once

#include <string>
#include <vector>

#include "trail/status.h"

namespace trail {

// One line per thing done: "rebuilt index of pack <id>", "moved damaged pack <id> to
// store/damaged/ (kept 12 of 14 objects)", ...
StatusOr<std::vector<std::string>> RepairStore(const std::string& store_dir);

}  // namespace trail
