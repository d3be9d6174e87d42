// A LevelDB-format table (an SSTable): TensorFlow's checkpoint index (V2) and V1 checkpoints are
// such files. Read through Debian's leveldb (leveldb::Table) over a RandomFile, with block
// checksums verified, so a flipped byte in a block is Corrupt rather than a misread.
//
// The footer's block handles are checked here before leveldb sees them: leveldb allocates the
// size a handle claims before it reads the block, so a hostile footer must not reach it. Handles
// inside the index block are covered by that block's CRC32C (verify_checksums), which leveldb
// checks before using them; a block over `max_block_bytes` is refused before it is read, so
// memory stays bounded by that cap.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "model/random_file.h"
#include "trail/status.h"

namespace trail::model {

using TableVisitor = std::function<Status(std::string_view key, std::string_view value)>;

class TableReader {
 public:
  ~TableReader();
  // Opens the table in `file`, which must outlive the reader. Corrupt "PATH: ..." when the file
  // is not a table or its footer or index block is bad.
  static StatusOr<std::unique_ptr<TableReader>> Open(const RandomFile* file, uint64_t max_block_bytes);

  // Calls fn(key, value) for every entry in key order; stops at fn's first error. The views are
  // valid during the call only.
  Status ForEach(const TableVisitor& fn) const;
  // Calls fn(key, value) for the entry with exactly `key`; NotFound when there is none.
  Status Get(std::string_view key, const TableVisitor& fn) const;

 private:
  struct Impl;
  explicit TableReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// TableReader::Open then ForEach, with blocks capped at 64 MB (an index's blocks are KBs).
Status ForEachTableEntry(const RandomFile& file, const TableVisitor& fn);

}  // namespace trail::model
