#include "store/local_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/files.h"

namespace trail::store {
namespace {

std::string ConfigText() {
  return "trail-store " + std::to_string(kStoreFormatVersion) +
         "\n"
         "chunking checkpoint 131072 524288 2097152\n"
         "chunking data 65536 262144 1048576\n";
}

// Closes a descriptor on every path out of Get.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

StatusOr<std::unique_ptr<LocalStore>> LocalStore::Open(const std::string& dir, size_t pack_target_size) {
  TRAIL_RETURN_IF_ERROR(MakeDirs(JoinPath(dir, "packs")));
  TRAIL_RETURN_IF_ERROR(MakeDirs(JoinPath(dir, "index")));
  const std::string config = JoinPath(dir, "config");
  if (PathExists(config)) {
    TRAIL_ASSIGN_OR_RETURN(std::string text, ReadFile(config));
    const std::string want = "trail-store " + std::to_string(kStoreFormatVersion) + "\n";
    if (text.rfind(want, 0) != 0) {
      return FailedPrecondition(config + ": not a trail store of format version " +
                                std::to_string(kStoreFormatVersion));
    }
  } else {
    // Written once: WriteFileAtomic means a concurrent Open writes the same bytes, harmlessly.
    TRAIL_RETURN_IF_ERROR(WriteFileAtomic(config, ConfigText()));
  }
  std::unique_ptr<LocalStore> store(new LocalStore(dir, pack_target_size));
  TRAIL_RETURN_IF_ERROR(store->LoadIndexes());
  return store;
}

Status LocalStore::LoadIndexes() {
  const std::string index_dir = JoinPath(dir_, "index");
  for (const std::string& name : ListDirectory(index_dir)) {
    // Only "<64 hex>.idx": leftover temp files of an interrupted write are skipped.
    if (name.size() != 64 + 4 || !EndsWith(name, ".idx")) continue;
    const std::string pack_id = name.substr(0, 64);
    if (!ParseHexId(pack_id)) continue;
    const std::string path = JoinPath(index_dir, name);
    TRAIL_ASSIGN_OR_RETURN(std::string tail, ReadFile(path));
    auto entries = ParsePackIndex(tail, pack_id);
    if (!entries.ok()) return entries.status().WithContext(path);
    AddPack(pack_id, *entries);
  }
  return Status::Ok();
}

void LocalStore::AddPack(const std::string& pack_id, const std::vector<PackEntry>& entries) {
  const uint32_t n = static_cast<uint32_t>(packs_.size());
  packs_.push_back(pack_id);
  for (const PackEntry& e : entries) {
    // The first copy wins; duplicates across packs are harmless and gc drops them.
    blobs_.try_emplace(BlobKey{e.type, e.id}, Location{n, e.zstd, e.offset, e.stored, e.raw});
  }
}

std::string LocalStore::PackPath(const std::string& pack_id) const {
  return JoinPath(JoinPath(JoinPath(dir_, "packs"), pack_id.substr(0, 2)), pack_id + ".pack");
}

bool LocalStore::Has(BlobType type, const Sha256Digest& id) const {
  const BlobKey key{type, id};
  return blobs_.count(key) > 0 || pending_.count(key) > 0;
}

StatusOr<std::string> LocalStore::Get(BlobType type, const Sha256Digest& id) const {
  auto it = blobs_.find(BlobKey{type, id});
  if (it == blobs_.end()) {
    if (const PackEntry* e = writer_.Find(type, id)) return writer_.ReadPending(*e);
    return NotFound(std::string(BlobTypeName(type)) + " " + ToHex(id) + " is not in the store");
  }
  const Location& loc = it->second;
  const std::string& pack_id = packs_[loc.pack];
  const std::string path = PackPath(pack_id);
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) {
    if (errno == ENOENT) return NotFound("pack " + pack_id + " of object " + ToHex(id) + " is missing");
    return IoError("cannot open " + path + ": " + std::strerror(errno));
  }
  PackEntry e{id, type, loc.offset, loc.stored, loc.raw, loc.zstd};
  return ReadBlobFromFile(fd.fd, e, pack_id);
}

Status LocalStore::Put(const Sha256Digest& id, BlobType type, std::string_view raw) {
  if (Has(type, id)) return Status::Ok();
  TRAIL_RETURN_IF_ERROR(writer_.Add(id, type, raw));
  pending_.emplace(BlobKey{type, id}, true);
  if (writer_.Full()) return Flush();
  return Status::Ok();
}

Status LocalStore::Flush() {
  if (writer_.empty()) return Status::Ok();
  TRAIL_ASSIGN_OR_RETURN(FinishedPack pack, writer_.Finish());
  pending_.clear();
  // On an error below the pending blobs are dropped: they were never visible, and a retry puts
  // them again because Has no longer reports them.
  const std::string packs_dir = JoinPath(dir_, "packs");
  const std::string sub = JoinPath(packs_dir, pack.id.substr(0, 2));
  if (!IsDirectory(sub)) {
    TRAIL_RETURN_IF_ERROR(MakeDirs(sub));
    TRAIL_RETURN_IF_ERROR(SyncDirectory(packs_dir));  // the new folder's entry must be durable
  }
  // Pack first, index second: an index must never name a pack that is not fully on disk.
  TRAIL_RETURN_IF_ERROR(WriteFileAtomic(PackPath(pack.id), pack.bytes));
  TRAIL_RETURN_IF_ERROR(WriteFileAtomic(JoinPath(JoinPath(dir_, "index"), pack.id + ".idx"), pack.IndexTail()));
  AddPack(pack.id, pack.entries);
  return Status::Ok();
}

}  // namespace trail::store
