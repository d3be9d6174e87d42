// The local object store: packs and their indexes under one folder (docs/formats/store.md,
// "Local layout"):
//
//   config                    format version and chunker presets, written once
//   packs/ab/<pack id>.pack   ab = the first two hex digits, so no folder holds too many files
//   index/<pack id>.idx       the pack's tail from its index on
//   lock                      (see below)
//
// Open reads only index/, never the packs. Writes are crash-safe by ordering: a pack is
// written (temp file, fsync, rename, fsync of the folder) before its .idx, and a pack without
// an .idx is invisible, so a crash at any point leaves the store as it was or with a stray
// pack that a later gc removes.
//
// Locking: the design takes `lock` shared for writers and exclusive for gc. util/files.h's
// FileLock only offers exclusive locks, and taking one here would serialize every writer, so
// this class takes no lock yet; gc, when it is written, needs FileLock to gain a shared mode
// and writers must then hold it from Open to the last Flush.
//
// Not thread-safe: one LocalStore per thread, or an outside mutex.
#pragma once

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/hash.h"
#include "store/pack.h"
#include "trail/status.h"

namespace trail::store {

inline constexpr int kStoreFormatVersion = 1;

// Blobs are keyed by type and id, not id alone: a file that is a single chunk has the same
// SHA-256 as its manifest's id (both are the hash of the whole content).
struct BlobKey {
  BlobType type;
  Sha256Digest id;
  bool operator==(const BlobKey&) const = default;
};

struct BlobKeyHash {
  size_t operator()(const BlobKey& k) const {
    size_t h;
    static_assert(sizeof(h) <= sizeof(Sha256Digest));
    std::memcpy(&h, k.id.data(), sizeof(h));  // already uniformly distributed
    return h ^ static_cast<size_t>(k.type);
  }
};

class LocalStore {
 public:
  // Creates the layout if needed and loads every index. A corrupt .idx is Corrupt (naming it):
  // hiding its blobs would make them look missing.
  static StatusOr<std::unique_ptr<LocalStore>> Open(const std::string& dir, size_t pack_target_size = kPackTargetSize);

  // Unflushed blobs are lost; call Flush first.
  ~LocalStore() = default;

  // True for stored blobs and for blobs put but not yet flushed.
  bool Has(BlobType type, const Sha256Digest& id) const;
  // The blob's raw bytes, verified. NotFound if absent; Corrupt if its pack is damaged.
  StatusOr<std::string> Get(BlobType type, const Sha256Digest& id) const;

  // Queues a blob for the current pack unless the store already has `id`; writes the pack when
  // it is full. Nothing is durable before Flush returns.
  Status Put(const Sha256Digest& id, BlobType type, std::string_view raw);
  // Writes the current pack and its index, if any blob is pending.
  Status Flush();

  const std::string& dir() const { return dir_; }
  size_t blob_count() const { return blobs_.size() + pending_.size(); }
  size_t pack_count() const { return packs_.size(); }
  std::string PackPath(const std::string& pack_id) const;

 private:
  // About 56 bytes of value per blob plus the key and the map's node: the ~80 B/chunk budget.
  struct Location {
    uint32_t pack;  // index into packs_
    bool zstd;
    uint64_t offset;
    uint64_t stored;
    uint64_t raw;
  };

  explicit LocalStore(std::string dir, size_t target) : dir_(std::move(dir)), writer_(target) {}
  Status LoadIndexes();
  void AddPack(const std::string& pack_id, const std::vector<PackEntry>& entries);

  std::string dir_;
  std::vector<std::string> packs_;
  std::unordered_map<BlobKey, Location, BlobKeyHash> blobs_;
  std::unordered_map<BlobKey, bool, BlobKeyHash> pending_;  // a set; map for symmetry of lookups
  PackWriter writer_;
};

}  // namespace trail::store
