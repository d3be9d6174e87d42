#include "model/tf_table.h"

#include <leveldb/env.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>

#include <cstring>
#include <new>

#include "base/proto_wire.h"

namespace trail::model {
namespace {

// leveldb/table/format.h: two BlockHandles (varint64 offset and size each) padded to 40 bytes,
// then the 8-byte magic. Every block is followed by a 5-byte trailer (type, CRC32C).
constexpr uint64_t kFooterBytes = 48;
constexpr uint64_t kBlockTrailerBytes = 5;
constexpr unsigned char kTableFooterMagic[8] = {0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};
constexpr uint64_t kIndexMaxBlockBytes = 64 << 20;

// leveldb reads blocks through this; every read is checked against the size measured at open and
// against the block cap (leveldb's buffer is allocated but untouched when the read is refused).
class TableFile : public leveldb::RandomAccessFile {
 public:
  TableFile(const RandomFile* file, uint64_t max_block_bytes) : file_(file), max_block_bytes_(max_block_bytes) {}
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result, char* scratch) const override {
    if (offset > file_->size() || n > file_->size() - offset) {
      return leveldb::Status::Corruption("block lies past the end of the file");
    }
    if (n > max_block_bytes_ + kBlockTrailerBytes) {
      return leveldb::Status::Corruption("a block of " + std::to_string(n) + " bytes, over trail's limit of " +
                                         std::to_string(max_block_bytes_));
    }
    const Status s = file_->ReadAt(offset, n, scratch);
    if (!s.ok()) return leveldb::Status::IOError(s.message());
    *result = leveldb::Slice(scratch, n);
    return leveldb::Status::OK();
  }

 private:
  const RandomFile* file_;
  uint64_t max_block_bytes_;
};

Status CheckFooter(const RandomFile& file) {
  const std::string& path = file.path();
  if (file.size() < kFooterBytes) return Corrupt(path + ": too short for a LevelDB table (truncated?)");
  std::string footer;
  TRAIL_RETURN_IF_ERROR(file.ReadAt(file.size() - kFooterBytes, kFooterBytes, &footer));
  if (std::memcmp(footer.data() + 40, kTableFooterMagic, 8) != 0) {
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

leveldb::ReadOptions Checked() {
  leveldb::ReadOptions read;
  read.verify_checksums = true;
  read.fill_cache = false;
  return read;
}

}  // namespace

struct TableReader::Impl {
  const RandomFile* file;
  // A TableFile, held by its leveldb base: a type from this file's anonymous namespace as a
  // member would be -Wsubobject-linkage once a unity build joins the files.
  std::unique_ptr<leveldb::RandomAccessFile> source;
  std::unique_ptr<leveldb::Table> table;

  // Runs `body` and turns leveldb's errors and a failed allocation into Corrupt naming the file.
  Status Guard(const std::function<leveldb::Status()>& body) const {
    try {
      const leveldb::Status s = body();
      if (!s.ok()) return Corrupt(file->path() + ": bad LevelDB table: " + s.ToString());
    } catch (const std::bad_alloc&) {
      return Corrupt(file->path() + ": LevelDB table block claims more bytes than can be read");
    }
    return Status::Ok();
  }
};

TableReader::TableReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TableReader::~TableReader() = default;

StatusOr<std::unique_ptr<TableReader>> TableReader::Open(const RandomFile* file, uint64_t max_block_bytes) {
  TRAIL_RETURN_IF_ERROR(CheckFooter(*file));
  auto impl = std::make_unique<Impl>();
  impl->file = file;
  impl->source = std::make_unique<TableFile>(file, max_block_bytes);
  leveldb::Options options;
  options.paranoid_checks = true;
  TRAIL_RETURN_IF_ERROR(impl->Guard([&] {
    leveldb::Table* raw = nullptr;
    leveldb::Status s = leveldb::Table::Open(options, impl->source.get(), file->size(), &raw);
    impl->table.reset(raw);
    return s;
  }));
  return std::unique_ptr<TableReader>(new TableReader(std::move(impl)));
}

Status TableReader::ForEach(const TableVisitor& fn) const {
  Status visited;
  TRAIL_RETURN_IF_ERROR(impl_->Guard([&] {
    std::unique_ptr<leveldb::Iterator> it(impl_->table->NewIterator(Checked()));
    for (it->SeekToFirst(); it->Valid() && visited.ok(); it->Next()) {
      const leveldb::Slice key = it->key(), value = it->value();
      visited = fn(std::string_view(key.data(), key.size()), std::string_view(value.data(), value.size()));
    }
    return it->status();
  }));
  return visited;
}

Status TableReader::Get(std::string_view key, const TableVisitor& fn) const {
  Status visited = NotFound(impl_->file->path() + ": no table entry for the key");
  TRAIL_RETURN_IF_ERROR(impl_->Guard([&] {
    std::unique_ptr<leveldb::Iterator> it(impl_->table->NewIterator(Checked()));
    it->Seek(leveldb::Slice(key.data(), key.size()));
    if (it->Valid() && it->key() == leveldb::Slice(key.data(), key.size())) {
      const leveldb::Slice value = it->value();
      visited = fn(key, std::string_view(value.data(), value.size()));
    }
    return it->status();
  }));
  return visited;
}

Status ForEachTableEntry(const RandomFile& file, const TableVisitor& fn) {
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<TableReader> table, TableReader::Open(&file, kIndexMaxBlockBytes));
  return table->ForEach(fn);
}

}  // namespace trail::model
