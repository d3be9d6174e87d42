// A LevelDB-format table (an SSTable): TensorFlow's checkpoint index (V2) and V1 checkpoints are
// such files. Read through Debian's leveldb (leveldb::Table) over a RandomFile, with block
// checksums verified, so a flipped byte in a block is Corrupt rather than a misread.
#pragma once

#include <functional>
#include <string_view>

#include "model/random_file.h"
#include "trail/status.h"

namespace trail::model {

// Calls fn(key, value) for every entry of the table in `file`, in key order; stops at fn's first
// error. The views are valid during the call only. Corrupt "PATH: ..." when the file is not a
// table, a block handle points outside the file, or a block fails its checksum.
//
// The footer's block handles are checked here before leveldb sees them: leveldb allocates the
// size a handle claims before it reads the block, so a hostile footer must not reach it. Handles
// inside the index block are covered by that block's CRC32C (verify_checksums), which leveldb
// checks before using them.
Status ForEachTableEntry(const RandomFile& file, const std::function<Status(std::string_view, std::string_view)>& fn);

}  // namespace trail::model
