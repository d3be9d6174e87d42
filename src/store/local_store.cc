#include "store/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <unordered_set>
#include <utility>

#include "base/files.h"
#include "store/direct_write.h"
#include "store/store_layout.h"

namespace trail::store {
namespace {

using layout::kConfigFile;
using layout::kIndexDir;
using layout::kIndexSuffix;
using layout::kLockFile;
using layout::kPacksDir;
using layout::kPackSuffix;
using layout::kTempInfix;

std::string ConfigText() {
  return "trail-store " + std::to_string(kStoreFormatVersion) +
         "\n"
         "chunking checkpoint 131072 524288 2097152\n"
         "chunking data 65536 262144 1048576\n";
}

// A store of another format version is refused, never read.
Status CheckConfig(const std::string& config) {
  TRAIL_ASSIGN_OR_RETURN(std::string text, ReadFile(config));
  const std::string want = "trail-store " + std::to_string(kStoreFormatVersion) + "\n";
  if (text.rfind(want, 0) != 0) {
    return FailedPrecondition(config + ": not a trail store of format version " + std::to_string(kStoreFormatVersion));
  }
  return Status::Ok();
}

// Whether the pack file is there and long enough for every blob its index names: a stat, so
// opening a store still reads no pack. Bit flips inside a pack are fsck's to find.
bool PackFileHolds(const std::string& path, const std::vector<PackEntry>& entries) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  uint64_t end = kPackMagic.size();
  for (const PackEntry& e : entries) end = std::max(end, e.offset + e.stored);
  return static_cast<uint64_t>(st.st_size) >= end + kPackTrailerSize;
}

}  // namespace

std::string LocalStore::PackName(const std::string& pack_id) {
  return std::string(kPacksPrefix) + pack_id.substr(0, 2) + "/" + pack_id + std::string(kPackSuffix);
}

std::string LocalStore::IndexName(const std::string& pack_id) {
  return std::string(kIndexPrefix) + pack_id + std::string(kIndexSuffix);
}

std::optional<std::string> LocalStore::PackIdOfIndexName(std::string_view name) {
  if (name.size() != kIndexPrefix.size() + 64 + kIndexSuffix.size() || !name.starts_with(kIndexPrefix) ||
      !name.ends_with(kIndexSuffix))
    return std::nullopt;
  std::string id(name.substr(kIndexPrefix.size(), 64));
  if (!ParseHexId(id)) return std::nullopt;
  return id;
}

std::optional<std::string> LocalStore::PackIdOfPackName(std::string_view name) {
  // "packs/ab/" + id + ".pack"
  if (name.size() != kPacksPrefix.size() + 3 + 64 + kPackSuffix.size()) return std::nullopt;
  std::string id(name.substr(kPacksPrefix.size() + 3, 64));
  if (!ParseHexId(id) || name != PackName(id)) return std::nullopt;
  return id;
}

std::string LocalStore::LockPathIn(const std::string& dir) { return JoinPath(dir, kLockFile); }

StatusOr<FileLock> LocalStore::LockShared(const std::string& dir) { return FileLock::AcquireShared(LockPathIn(dir)); }

StatusOr<FileLock> LocalStore::LockExclusive(const std::string& dir, Env& env) {
  return env.Lock(LockPathIn(dir), LockMode::kExclusive);
}

std::string LocalStore::TempPath(const std::string& final_path) {
  return final_path + kTempInfix + std::to_string(::getpid());
}

uint64_t LocalStore::FileBytes(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

StatusOr<std::unique_ptr<LocalStore>> LocalStore::Open(const std::string& dir, size_t pack_target_size) {
  TRAIL_RETURN_IF_ERROR(MakeDirs(JoinPath(dir, kPacksDir)));
  TRAIL_RETURN_IF_ERROR(MakeDirs(JoinPath(dir, kIndexDir)));
  const std::string config = JoinPath(dir, kConfigFile);
  if (PathExists(config)) {
    TRAIL_RETURN_IF_ERROR(CheckConfig(config));
  } else {
    // Written once: WriteFileAtomic means a concurrent Open writes the same bytes, harmlessly.
    TRAIL_RETURN_IF_ERROR(WriteFileAtomic(config, ConfigText()));
  }
  std::unique_ptr<LocalStore> store(new LocalStore(dir, pack_target_size));
  TRAIL_RETURN_IF_ERROR(store->LoadIndexes());
  return store;
}

StatusOr<std::unique_ptr<LocalStore>> LocalStore::OpenTolerant(const std::string& dir,
                                                               std::vector<BadIndex>* bad_indexes) {
  const std::string config = JoinPath(dir, kConfigFile);
  if (!IsDirectory(dir)) return NotFound("no object store at " + dir);
  if (PathExists(config)) TRAIL_RETURN_IF_ERROR(CheckConfig(config));
  std::unique_ptr<LocalStore> store(new LocalStore(dir, kPackTargetSize));
  TRAIL_RETURN_IF_ERROR(store->LoadIndexes(bad_indexes));
  return store;
}

StatusOr<std::unique_ptr<LocalStore>> LocalStore::OpenForWriting(const std::string& dir, size_t pack_target_size) {
  TRAIL_RETURN_IF_ERROR(MakeDirs(dir));
  // Locked before the indexes are read: a gc that finished before we got the lock has already
  // removed what it removed, and none can start until we are done.
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, LockShared(dir));
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> store, Open(dir, pack_target_size));
  store->lock_ = std::move(lock);
  return store;
}

LocalStore::~LocalStore() {
  if (writing_.valid()) writing_.wait();
  for (auto& u : unpublished_) {
    if (u->fd >= 0) ::close(u->fd);
    if (!u->published) ::unlink(u->tmp.c_str());
  }
}

Status LocalStore::LoadIndexes(std::vector<BadIndex>* bad) {
  const std::string index_dir = JoinPath(dir_, kIndexDir);
  for (const std::string& name : ListDirectory(index_dir)) {
    // Only "<64 hex>.idx": leftover temp files of an interrupted write are skipped.
    const std::optional<std::string> id = PackIdOfIndexName(std::string(kIndexPrefix) + name);
    if (!id) continue;
    const std::string& pack_id = *id;
    const std::string path = JoinPath(index_dir, name);
    auto tail = ReadFile(path);
    Status problem = tail.status();
    // The pack's name is the hash of this tail: checking it here vouches for every id and sum
    // the store will trust (chunks are then checked against their ids on every read).
    if (problem.ok() && ToHex(Sha256Of(*tail)) != pack_id) {
      problem = Corrupt(path + ": content does not match its name");
    }
    std::vector<PackEntry> entries;
    if (problem.ok()) {
      auto parsed = ParsePackIndex(*tail, pack_id);
      if (parsed.ok()) {
        entries = std::move(*parsed);
      } else {
        problem = parsed.status().WithContext(path);
      }
    }
    if (!problem.ok()) {
      if (bad == nullptr) return problem;
      bad->push_back({pack_id, path, problem});
      continue;
    }
    if (!PackFileHolds(PackPath(pack_id), entries)) {
      unusable_.push_back({pack_id, std::move(entries)});
      continue;
    }
    AddPack(pack_id, entries);
  }
  return Status::Ok();
}

std::vector<std::string> LocalStore::UnindexedPacks() const {
  std::unordered_set<std::string> indexed(packs_.begin(), packs_.end());
  for (const PackInfo& p : unusable_) indexed.insert(p.id);
  std::vector<std::string> out;
  const std::string packs_dir = JoinPath(dir_, kPacksDir);
  for (const std::string& sub : ListDirectory(packs_dir)) {
    for (const std::string& name : ListDirectory(JoinPath(packs_dir, sub))) {
      // Only "<64 hex>.pack" in the folder its name calls for; temp files are not packs.
      const std::optional<std::string> id = PackIdOfPackName(std::string(kPacksPrefix) + sub + "/" + name);
      if (id && !indexed.count(*id)) out.push_back(*id);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status LocalStore::RebuildIndex(const std::string& dir, const std::string& pack_id) {
  TRAIL_ASSIGN_OR_RETURN(std::string pack, ReadFile(JoinPath(dir, PackName(pack_id))));  // about 64 MiB
  TRAIL_ASSIGN_OR_RETURN(std::string tail, VerifiedIndexTail(pack, pack_id));
  TRAIL_RETURN_IF_ERROR(MakeDirs(JoinPath(dir, kIndexDir)));
  return WriteFileAtomic(JoinPath(dir, IndexName(pack_id)), tail);
}

void LocalStore::AddPack(const std::string& pack_id, const std::vector<PackEntry>& entries) {
  const uint32_t n = static_cast<uint32_t>(packs_.size());
  packs_.push_back(pack_id);
  pack_entries_.push_back(entries);
  for (const PackEntry& e : entries) {
    // The first copy wins; duplicates across packs are harmless and gc drops them.
    const bool added = blobs_.try_emplace(BlobKey{e.type, e.id}, Location{n, e.zstd, e.offset, e.stored, e.raw}).second;
    if (added && e.type == BlobType::kFile) sums_[BlobKey{e.type, e.id}] = e.sum;
  }
}

std::string LocalStore::PackPath(const std::string& pack_id) const { return JoinPath(dir_, PackName(pack_id)); }

std::string LocalStore::IndexPath(const std::string& pack_id) const { return JoinPath(dir_, IndexName(pack_id)); }

bool LocalStore::Has(BlobType type, const Sha256Digest& id) const {
  const BlobKey key{type, id};
  return blobs_.count(key) > 0 || pending_.count(key) > 0;
}

std::optional<LocalStore::Placed> LocalStore::Place(BlobType type, const Sha256Digest& id) const {
  auto it = blobs_.find(BlobKey{type, id});
  if (it == blobs_.end()) return std::nullopt;
  const Location& loc = it->second;
  Placed p;
  p.pack_id = packs_[loc.pack];
  p.path = PackPath(p.pack_id);
  for (const auto& u : unpublished_) {
    if (u->pack.id != p.pack_id) continue;
    // Still being written: wait for the writer (a const wait; the result is kept for Flush).
    if (writing_.valid()) writing_.wait();
    p.path = u->tmp;
  }
  p.entry = PackEntry{id, type, loc.offset, loc.stored, loc.raw, loc.zstd, {}};
  if (type == BlobType::kFile) p.entry.sum = sums_.at(BlobKey{type, id});
  return p;
}

namespace {

StatusOr<int> OpenPack(const std::string& path, const std::string& pack_id, const Sha256Digest& id) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return fd;
  if (errno == ENOENT) return NotFound("pack " + pack_id + " of object " + ToHex(id) + " is missing");
  return IoError("cannot open " + path + ": " + std::strerror(errno));
}

}  // namespace

StatusOr<std::string> LocalStore::Get(BlobType type, const Sha256Digest& id) const {
  std::optional<Placed> p = Place(type, id);
  if (!p) {
    if (const PackEntry* e = writer_.Find(type, id)) return writer_.ReadPending(*e);
    return NotFound(std::string(BlobTypeName(type)) + " " + ToHex(id) + " is not in the store");
  }
  TRAIL_ASSIGN_OR_RETURN(int opened, OpenPack(p->path, p->pack_id, id));
  ScopedFd fd{opened};
  return ReadBlobFromFile(fd.fd, p->entry, p->pack_id);
}

StatusOr<std::vector<std::string>> LocalStore::GetMany(BlobType type, const std::vector<Sha256Digest>& ids) const {
  std::vector<std::string> out(ids.size());
  std::vector<Placed> placed;
  placed.reserve(ids.size());  // the views below point into these
  std::vector<std::string_view> raws, pack_ids;
  std::vector<PackEntry> entries;
  ScopedFd fd{-1};
  std::string open_path;
  for (size_t i = 0; i < ids.size(); ++i) {
    std::optional<Placed> p = Place(type, ids[i]);
    if (!p) {  // in the pack being filled, or absent: Get verifies or says so
      TRAIL_ASSIGN_OR_RETURN(out[i], Get(type, ids[i]));
      continue;
    }
    if (p->path != open_path) {  // consecutive chunks of a file mostly share a pack
      TRAIL_ASSIGN_OR_RETURN(int opened, OpenPack(p->path, p->pack_id, ids[i]));
      if (fd.fd >= 0) ::close(fd.fd);
      fd.fd = opened;
      open_path = p->path;
    }
    TRAIL_ASSIGN_OR_RETURN(out[i], ReadBlobFromFileUnverified(fd.fd, p->entry, p->pack_id));
    placed.push_back(std::move(*p));
    raws.push_back(out[i]);
    entries.push_back(placed.back().entry);
    pack_ids.push_back(placed.back().pack_id);
  }
  TRAIL_RETURN_IF_ERROR(VerifyBlobs(raws, entries, pack_ids));
  return out;
}

std::vector<LocalStore::PackInfo> LocalStore::Packs() const {
  std::vector<PackInfo> out;
  for (size_t i = 0; i < packs_.size(); ++i) out.push_back({packs_[i], pack_entries_[i]});
  return out;
}

Status LocalStore::Put(const Sha256Digest& id, BlobType type, std::string_view raw) {
  if (Has(type, id)) return Status::Ok();
  TRAIL_ASSIGN_OR_RETURN(PreparedBlob b, PrepareBlob(type, raw, &id));
  if (type != BlobType::kFile && b.id != id) return InvalidArgument("blob content does not hash to " + ToHex(id));
  return PutPrepared(b);
}

Status LocalStore::PutPrepared(const PreparedBlob& blob) {
  if (Has(blob.type, blob.id)) return Status::Ok();
  TRAIL_RETURN_IF_ERROR(writer_.AddPrepared(blob));
  pending_.emplace(BlobKey{blob.type, blob.id}, true);
  if (writer_.Full()) return Seal();
  return Status::Ok();
}

Status LocalStore::WaitForWriter() {
  if (!writing_.valid()) return Status::Ok();
  return writing_.get();
}

// Finishes the current pack and hands it to a background thread that writes and publishes it
// (WriteAndPublish). At most one write runs while the next pack fills, so memory stays at two
// packs, and only the last pack's write is left for Flush to wait on.
Status LocalStore::Seal() {
  TRAIL_RETURN_IF_ERROR(WaitForWriter());
  TRAIL_ASSIGN_OR_RETURN(FinishedPack pack, writer_.Finish());
  if (!unpublished_.empty()) writer_.Recycle(std::move(unpublished_.back()->spare));
  // Packs the writer has published are read from their final paths from now on.
  std::erase_if(unpublished_, [](const std::unique_ptr<Unpublished>& u) { return u->published; });
  pending_.clear();
  auto u = std::make_unique<Unpublished>();
  u->pack = std::move(pack);
  u->tmp = TempPath(PackPath(u->pack.id));
  // Readable (through Get) from its temp file until it is published.
  AddPack(u->pack.id, u->pack.entries);
  Unpublished* raw = u.get();
  unpublished_.push_back(std::move(u));
  writing_ = std::async(std::launch::async, [this, raw] { return WriteAndPublish(*raw); });
  return Status::Ok();
}

// Runs on the writer thread and touches only `u` and the file system. The pack goes to a temp
// file (direct I/O), is fsynced and renamed into place, and only then gets its .idx: an index
// never names a pack that is not wholly on disk. A crash part way through an add leaves whole
// packs that the next add finds (and dedups against) or that gc removes.
Status LocalStore::WriteAndPublish(Unpublished& u) const {
  const std::string packs_dir = JoinPath(dir_, kPacksDir);
  const std::string sub = JoinPath(packs_dir, u.pack.id.substr(0, 2));
  if (!IsDirectory(sub)) {
    TRAIL_RETURN_IF_ERROR(MakeDirs(sub));
    TRAIL_RETURN_IF_ERROR(SyncDirectory(packs_dir));  // the new folder's entry must be durable
  }
  u.fd = ::open(u.tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (u.fd < 0) return IoError("cannot create " + u.tmp + ": " + std::strerror(errno));
  {
    DirectWriter out(u.fd, u.tmp);
    TRAIL_RETURN_IF_ERROR(out.Append(u.pack.bytes.view()));
    TRAIL_RETURN_IF_ERROR(out.Finish());
  }
  // The index tail is all that is still needed in memory; the rest goes back to the writer.
  AlignedBuffer tail;
  tail.Append(u.pack.IndexTail());
  u.spare = std::exchange(u.pack.bytes, std::move(tail));
  u.pack.index_offset = 0;

  if (::fsync(u.fd) != 0) return IoError("cannot fsync " + u.tmp + ": " + std::strerror(errno));
  ::close(u.fd);
  u.fd = -1;
  const std::string final_path = PackPath(u.pack.id);
  if (::rename(u.tmp.c_str(), final_path.c_str()) != 0)
    return IoError("cannot rename " + u.tmp + ": " + std::strerror(errno));
  u.tmp = final_path;
  u.published = true;  // nothing to clean up any more
  TRAIL_RETURN_IF_ERROR(SyncDirectory(sub));
  return WriteFileAtomic(IndexPath(u.pack.id), u.pack.IndexTail());
}

Status LocalStore::SealIfAtLeast(size_t min_bytes) {
  if (writer_.empty() || writer_.size() < min_bytes) return Status::Ok();
  return Seal();
}

Status LocalStore::Flush() {
  if (!writer_.empty()) TRAIL_RETURN_IF_ERROR(Seal());
  TRAIL_RETURN_IF_ERROR(WaitForWriter());
  unpublished_.clear();
  return Status::Ok();
}

}  // namespace trail::store
