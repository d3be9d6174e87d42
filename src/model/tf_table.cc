#include "model/tf_table.h"

#include <leveldb/env.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>

#include <cstring>
#include <memory>
#include <new>

#include "base/proto_wire.h"

namespace trail::model {
namespace {

// leveldb/table/format.h: two BlockHandles (varint64 offset and size each) padded to 40 bytes,
// then the 8-byte magic. Every block is followed by a 5-byte trailer (type, CRC32C).
constexpr uint64_t kFooterBytes = 48;
constexpr uint64_t kBlockTrailerBytes = 5;
constexpr unsigned char kTableMagic[8] = {0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};

// leveldb reads blocks through this; every read is checked against the size measured at open.
class TableFile : public leveldb::RandomAccessFile {
 public:
  explicit TableFile(const RandomFile* file) : file_(file) {}
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result, char* scratch) const override {
    if (offset > file_->size() || n > file_->size() - offset) {
      return leveldb::Status::Corruption("block lies past the end of the file");
    }
    const Status s = file_->ReadAt(offset, n, scratch);
    if (!s.ok()) return leveldb::Status::IOError(s.message());
    *result = leveldb::Slice(scratch, n);
    return leveldb::Status::OK();
  }

 private:
  const RandomFile* file_;
};

Status CheckFooter(const RandomFile& file) {
  const std::string& path = file.path();
  if (file.size() < kFooterBytes) return Corrupt(path + ": too short for a LevelDB table (truncated?)");
  std::string footer;
  TRAIL_RETURN_IF_ERROR(file.ReadAt(file.size() - kFooterBytes, kFooterBytes, &footer));
  if (std::memcmp(footer.data() + 40, kTableMagic, 8) != 0) {
    return Corrupt(path + ": not a LevelDB table (no table magic at its end; truncated?)");
  }
  std::string_view handles(footer.data(), 40);
  const uint64_t limit = file.size() - kFooterBytes;
  for (const char* which : {"metaindex", "index"}) {
    uint64_t offset = 0, size = 0;
    if (!ConsumeVarint(handles, offset) || !ConsumeVarint(handles, size)) {
      return Corrupt(path + ": LevelDB table footer has a malformed " + which + " block handle");
    }
    if (offset > limit || size > limit - offset || kBlockTrailerBytes > limit - offset - size) {
      return Corrupt(path + ": LevelDB table " + which + " block [" + std::to_string(offset) + ", +" +
                     std::to_string(size) + "] lies outside the file's " + std::to_string(file.size()) + " bytes");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ForEachTableEntry(const RandomFile& file, const std::function<Status(std::string_view, std::string_view)>& fn) {
  const std::string& path = file.path();
  TRAIL_RETURN_IF_ERROR(CheckFooter(file));
  TableFile source(&file);
  leveldb::Options options;
  options.paranoid_checks = true;
  try {
    leveldb::Table* raw = nullptr;
    const leveldb::Status opened = leveldb::Table::Open(options, &source, file.size(), &raw);
    if (!opened.ok()) return Corrupt(path + ": bad LevelDB table: " + opened.ToString());
    std::unique_ptr<leveldb::Table> table(raw);
    leveldb::ReadOptions read;
    read.verify_checksums = true;
    read.fill_cache = false;
    std::unique_ptr<leveldb::Iterator> it(table->NewIterator(read));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const leveldb::Slice key = it->key(), value = it->value();
      TRAIL_RETURN_IF_ERROR(fn(std::string_view(key.data(), key.size()), std::string_view(value.data(), value.size())));
    }
    if (!it->status().ok()) return Corrupt(path + ": bad LevelDB table: " + it->status().ToString());
  } catch (const std::bad_alloc&) {
    // A block whose handle claims more than memory allows (only possible behind a valid CRC).
    return Corrupt(path + ": LevelDB table block claims more bytes than can be read");
  }
  return Status::Ok();
}

}  // namespace trail::model
