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
// A full pack is written, fsynced and published with its .idx by a background thread while
// the next one fills: hashing and writing overlap, and Flush waits only for the last pack.
//
// Locking: `lock` is held shared by every writer (OpenForWriting, from open to close) and
// exclusively by gc, so gc never deletes a pack a writer is about to name in a pointer.
//
// Not thread-safe: one LocalStore per thread, or an outside mutex. After an error from Put,
// PutPrepared or Flush the object must be discarded (what was flushed before stays valid).
#pragma once

#include <cstring>
#include <ctime>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/env.h"
#include "base/files.h"
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
  // For fsck only: like Open, but an .idx that cannot be read, does not match its name or does
  // not parse is listed in `bad_indexes` and its pack left out, instead of failing the open.
  // Open stays strict: everyone else must not mistake a damaged store for a smaller one.
  struct BadIndex {
    std::string pack_id;
    std::string path;
    Status problem;
  };
  static StatusOr<std::unique_ptr<LocalStore>> OpenTolerant(const std::string& dir, std::vector<BadIndex>* bad_indexes);
  // Open plus the store lock held shared until the object is destroyed: for every writer.
  static StatusOr<std::unique_ptr<LocalStore>> OpenForWriting(const std::string& dir,
                                                              size_t pack_target_size = kPackTargetSize);

  // Unflushed blobs are lost (a pack being written is left as an invisible temp file);
  // call Flush first.
  ~LocalStore();

  // True for stored blobs and for blobs put but not yet flushed.
  bool Has(BlobType type, const Sha256Digest& id) const;
  // The blob's raw bytes, verified. NotFound if absent; Corrupt if its pack is damaged.
  StatusOr<std::string> Get(BlobType type, const Sha256Digest& id) const;
  // The same for many blobs (a restore's next chunks), in order: read first, then verified two
  // SHA-256 at a time (pack.h, VerifyBlobs), which is twice as fast as one by one.
  StatusOr<std::vector<std::string>> GetMany(BlobType type, const std::vector<Sha256Digest>& ids) const;

  // Queues a blob for the current pack unless the store already has `id`; writes the pack when
  // it is full. Nothing is durable before Flush returns.
  Status Put(const Sha256Digest& id, BlobType type, std::string_view raw);
  // The same for a blob hashed and compressed elsewhere (PrepareBlob, on worker threads).
  Status PutPrepared(const PreparedBlob& blob);
  // Makes every blob put so far durable and visible: seals the current pack and waits for the
  // pack writer to publish it (fsync, rename, .idx), as it has every pack before.
  Status Flush();
  // Ends the current pack now if it holds at least `min_bytes`, so its write overlaps the
  // caller's remaining work: StoreFile calls it before its last window, leaving Flush a small
  // last pack to wait for instead of up to a full one.
  Status SealIfAtLeast(size_t min_bytes);

  // Every pack and its entries, as loaded (for gc and fsck).
  struct PackInfo {
    std::string id;
    std::vector<PackEntry> entries;
  };
  std::vector<PackInfo> Packs() const;
  // Packs whose .idx is there but whose file is missing or shorter than the index says (a
  // deleted or truncated pack): left out of Packs() and Has(), so that `trail add` stores their
  // blobs again instead of deduplicating against them. fsck reports them; fsck --repair moves
  // them aside.
  const std::vector<PackInfo>& UnusablePacks() const { return unusable_; }
  // Pack files under packs/ that no loaded index names: a crash between a pack and its .idx,
  // an .idx that was lost, or (OpenTolerant) one that is damaged. RebuildIndex recovers them.
  std::vector<std::string> UnindexedPacks() const;
  // Rebuilds index/<pack_id>.idx from the pack itself (its tail is its index and its name is
  // that tail's hash) once every blob in it verifies. Corrupt, and nothing written, when the
  // pack does not verify. The caller holds the store lock exclusively.
  static Status RebuildIndex(const std::string& dir, const std::string& pack_id);

  // The layout, relative to the store's folder. A remote holds the same names, so these are
  // also what push and fetch send and look for (pack_transfer.h).
  static std::string PackName(const std::string& pack_id);   // "packs/ab/<id>.pack"
  static std::string IndexName(const std::string& pack_id);  // "index/<id>.idx"
  static constexpr std::string_view kPacksPrefix = "packs/";
  static constexpr std::string_view kIndexPrefix = "index/";
  // The pack id a listed name stands for: "index/<64 hex>.idx", or "packs/ab/<64 hex>.pack"
  // in the folder its id calls for. Anything else (temp files, strays) is nullopt.
  static std::optional<std::string> PackIdOfIndexName(std::string_view name);
  static std::optional<std::string> PackIdOfPackName(std::string_view name);

  // The store lock of the store in `dir` (created if needed): shared for every writer (see
  // OpenForWriting) and for readers that must not see packs vanish (fsck, push); exclusive for
  // whoever deletes or moves packs (gc, repair).
  static StatusOr<FileLock> LockShared(const std::string& dir);
  static StatusOr<FileLock> LockExclusive(const std::string& dir, Env& env = *Env::Default());
  // The store lock file (shared for writers, exclusive for gc).
  std::string LockPath() const { return LockPathIn(dir_); }

  const std::string& dir() const { return dir_; }
  size_t blob_count() const { return blobs_.size() + pending_.size(); }
  size_t pack_count() const { return packs_.size(); }
  std::string PackPath(const std::string& pack_id) const;
  std::string IndexPath(const std::string& pack_id) const;
  // The name a file of the store is written under before it is renamed to `final_path`
  // (unique per process). StrayFiles finds the ones an interrupted write left.
  static std::string TempPath(const std::string& final_path);
  // Size in bytes of the file at `path`; 0 when it is missing.
  static uint64_t FileBytes(const std::string& path);

  // Maintenance: the mechanics `trail gc` and `trail fsck --repair` drive (local_store_upkeep.cc).
  // Each needs the store lock held exclusively by the caller. Deletions, moves and folder syncs
  // go through `env` (gc's crash tests inject faults there).
  //
  // Deletes a pack: its .idx first (and that folder synced), then the pack file, so a crash in
  // between leaves an unindexed pack, never an index naming a missing pack. A missing file is
  // no error.
  Status RemovePack(const std::string& pack_id, Env& env = *Env::Default()) const;
  // Copies the blobs of `packs` that are in `keep` into new packs, built in a folder of the
  // store and moved into place (every pack first, then their indexes, as Flush publishes).
  // Returns the ids of the packs whose kept blobs all made it; a pack with a blob that cannot
  // be read is kept (a warning names it) and left out of the result. The old packs stay: the
  // caller removes the returned ones. The ids of the new packs it published go to `published`
  // (one may have the id of an old pack, when the same blobs were packed before).
  StatusOr<std::vector<std::string>> Repack(const std::vector<PackInfo>& packs,
                                            const std::unordered_set<BlobKey, BlobKeyHash>& keep,
                                            std::vector<std::string>* warnings,
                                            std::unordered_set<std::string>* published = nullptr,
                                            Env& env = *Env::Default()) const;
  // Reads the pack file whole (one pack in memory, about 64 MiB) and checks it as fsck and
  // repair need: the file as a whole (VerifyPack), then each blob its index names, handed to
  // `blob` in index order with its bytes or why it does not verify. No blob is visited when the
  // file is missing or unreadable. Needs no lock beyond what keeps the pack from being deleted.
  struct PackCheck {
    bool missing = false;  // the pack file is not there
    Status unreadable;     // not Ok: the file could not be read
    Status damaged;        // not Ok: the file as a whole does not verify
  };
  using CheckedBlobVisitor = std::function<void(const PackEntry& entry, StatusOr<std::string> raw)>;
  PackCheck CheckPack(const PackInfo& pack, const CheckedBlobVisitor& blob) const;
  // What interrupted writes left behind: temp files last modified at least `min_age_s` before
  // `now`, and an abandoned repack folder. Not packs without an index (RebuildIndex).
  std::vector<std::string> StrayFiles(std::time_t now, int64_t min_age_s) const;
  // Where damaged packs and their indexes are kept, out of the store's sight (never deleted).
  static std::string DamagedDir(const std::string& dir);
  // Moves the pack's .idx (then syncs index/), or its pack file, into DamagedDir; nothing when
  // it is not there.
  static Status SetAsideIndex(const std::string& dir, const std::string& pack_id);
  static Status SetAsidePackFile(const std::string& dir, const std::string& pack_id);

 private:
  // About 56 bytes of value per blob plus the key and the map's node: the ~80 B/chunk budget.
  struct Location {
    uint32_t pack;  // index into packs_
    bool zstd;
    uint64_t offset;
    uint64_t stored;
    uint64_t raw;
  };

  // A sealed pack on its way to disk: written to `tmp`, then renamed to its final name and
  // indexed, by the background writer (WriteAndPublish).
  struct Unpublished {
    FinishedPack pack;    // bytes cut to the index tail once written; id and entries kept
    AlignedBuffer spare;  // the written pack's buffer, for the next pack to reuse
    std::string tmp;      // where Get reads it: the temp file, then the final path
    int fd = -1;
    bool published = false;  // renamed into place with its .idx written
  };

  // Where a blob of a written (or being written) pack lies: the file to read (the pack, or its
  // temp file while the writer still has it) and its entry. Nothing for blobs that are only in
  // the pack still filling, or absent.
  struct Placed {
    std::string path;
    std::string pack_id;
    PackEntry entry;
  };
  std::optional<Placed> Place(BlobType type, const Sha256Digest& id) const;

  explicit LocalStore(std::string dir, size_t target) : dir_(std::move(dir)), writer_(target) {}
  static std::string LockPathIn(const std::string& dir);
  // With `bad` set, damaged indexes are listed there and skipped (OpenTolerant).
  Status LoadIndexes(std::vector<BadIndex>* bad = nullptr);
  void AddPack(const std::string& pack_id, const std::vector<PackEntry>& entries);
  Status Seal();
  Status WaitForWriter();
  Status WriteAndPublish(Unpublished& u) const;

  std::string dir_;
  std::vector<std::string> packs_;
  std::vector<std::vector<PackEntry>> pack_entries_;  // for Packs(); parallel to packs_
  std::vector<PackInfo> unusable_;
  std::unordered_map<BlobKey, Location, BlobKeyHash> blobs_;
  std::unordered_map<BlobKey, bool, BlobKeyHash> pending_;  // a set; map for symmetry of lookups
  // File manifests' own hashes (PackEntry::sum), apart from Location: few, and chunks need none.
  std::unordered_map<BlobKey, Sha256Digest, BlobKeyHash> sums_;
  PackWriter writer_;
  std::vector<std::unique_ptr<Unpublished>> unpublished_;
  std::future<Status> writing_;  // the background write of unpublished_.back(), if running
  FileLock lock_;
};

}  // namespace trail::store
