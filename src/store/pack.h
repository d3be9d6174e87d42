// Pack files: many blobs (chunks, file and tree manifests) appended into one immutable file of
// about 64 MiB, with a compressed index at its end (docs/formats/store.md, "Packs"):
//
//   pack   := "TRLPACK1" blob* index index_length:u32le "TRLPIDX1"
//   index  := zstd(JSON lines {"id", "type", "offset", "stored", "raw", "zstd"})
//
// One file per pack rather than per object keeps a terabyte store at thousands of files, not
// millions, and lets remotes that charge per request (S3) move data in large pieces.
//
// Everything read back from a pack is untrusted: every length and offset is bounds-checked and
// every problem is a Corrupt status naming the pack and the offset, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/aligned_buffer.h"
#include "store/hash.h"
#include "trail/status.h"

namespace trail::store {

enum class BlobType : uint8_t { kChunk, kFile, kTree };
std::string_view BlobTypeName(BlobType type);
std::optional<BlobType> ParseBlobType(std::string_view name);

// 64 lower- or upper-case hex digits -> digest; nullopt for anything else.
std::optional<Sha256Digest> ParseHexId(std::string_view hex);

inline constexpr std::string_view kPackMagic = "TRLPACK1";
inline constexpr std::string_view kIndexMagic = "TRLPIDX1";
// Bytes after the index: its length (u32le) and the trailing magic.
inline constexpr size_t kPackTrailerSize = 4 + 8;
inline constexpr size_t kPackTargetSize = size_t{64} << 20;
// Largest blob a reader will decompress: Decompress allocates `raw` bytes up front, so an index
// saying more is treated as corrupt rather than trusted. The chunker's hard maximum is 1 GiB.
inline constexpr uint64_t kMaxBlobRawSize = uint64_t{1} << 30;

// Where a blob lives inside its pack.
struct PackEntry {
  Sha256Digest id{};
  BlobType type = BlobType::kChunk;
  uint64_t offset = 0;  // from the first byte of the pack
  uint64_t stored = 0;  // bytes in the pack (compressed or not)
  uint64_t raw = 0;     // bytes once decompressed
  bool zstd = false;
  // For file manifests only (their id is the file's hash, not theirs): the SHA-256 of the raw
  // manifest, so a read can verify it like any other blob. Zero for chunks and trees.
  Sha256Digest sum{};
  bool operator==(const PackEntry&) const = default;
};

// A blob ready to append: hashed, probed and compressed off the writer's thread.
struct PreparedBlob {
  Sha256Digest id{};
  BlobType type = BlobType::kChunk;
  uint64_t raw_size = 0;
  bool zstd = false;
  std::string compressed;  // the stored bytes when zstd
  std::string_view raw;    // the stored bytes when not zstd; must outlive AddPrepared
  Sha256Digest sum{};      // see PackEntry::sum
};

// Hashes (chunks and trees), probes and compresses `raw`: the expensive part of Add, safe to
// run on any thread. `id` is used as given for file manifests.
StatusOr<PreparedBlob> PrepareBlob(BlobType type, std::string_view raw, const Sha256Digest* id = nullptr);
// The same for a chunk whose id the caller computed from `raw` itself (trail add hashes a file's
// chunks in the same pass as the whole file): probes and compresses only.
StatusOr<PreparedBlob> PrepareHashedChunk(const Sha256Digest& id, std::string_view raw);

struct FinishedPack {
  // The pack's file name: SHA-256 of IndexTail(), hex. The index names every blob by the hash
  // of its content (and file manifests by `sum`), so the name vouches for the whole pack while
  // costing no pass over its bytes.
  std::string id;
  AlignedBuffer bytes;  // the whole pack, aligned for O_DIRECT
  std::vector<PackEntry> entries;
  // The pack's tail from the index on (index, index_length, "TRLPIDX1"): what index/<id>.idx
  // holds, so that opening a store never reads the packs themselves.
  std::string_view IndexTail() const;
  size_t index_offset = 0;  // where the tail starts in `bytes`
};

// Builds one pack in memory. Not thread-safe.
class PackWriter {
 public:
  explicit PackWriter(size_t target_size = kPackTargetSize);

  // Appends a blob. `id` is its SHA-256 for chunks and trees, the whole file's SHA-256 for file
  // manifests. The bytes are compressed (zstd level 3) when WorthCompressing says it pays.
  // Adding an id twice stores it twice; deduplication is the caller's job.
  Status Add(const Sha256Digest& id, BlobType type, std::string_view raw);
  // Appends a blob prepared by PrepareBlob.
  Status AddPrepared(const PreparedBlob& blob);

  // True once the pack has reached its target size: Finish it and start another.
  bool Full() const { return buffer_.size() >= target_size_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return buffer_.size(); }

  // The entry of a blob added since the last Finish, if any.
  const PackEntry* Find(BlobType type, const Sha256Digest& id) const;
  // The raw bytes of a blob added since the last Finish (verified like any other read).
  StatusOr<std::string> ReadPending(const PackEntry& entry) const;

  // Appends the index and trailer and returns the pack; the writer is then empty again.
  StatusOr<FinishedPack> Finish();
  // Hands back a finished pack's buffer once it is written, so the next pack fills memory that
  // is already mapped instead of faulting in (and zeroing) fresh pages.
  void Recycle(AlignedBuffer spare);

 private:
  void StartPack();
  size_t target_size_;
  AlignedBuffer buffer_;
  AlignedBuffer spare_;
  std::vector<PackEntry> entries_;
};

// Parses a pack's tail: `data` ends with index_length and "TRLPIDX1" and holds the index just
// before them, so it may be the whole pack or an .idx file. `pack_id` only names the pack in
// errors. Offsets in errors are relative to `data`.
StatusOr<std::vector<PackEntry>> ParsePackIndex(std::string_view data, std::string_view pack_id);

// Parses a whole pack: checks the leading magic, the index, and that every blob lies between
// the magic and the index. Does not check the pack's name; see VerifyPack.
StatusOr<std::vector<PackEntry>> ParsePack(std::string_view pack, std::string_view pack_id);

// Everything fsck checks in one pack: its name is the SHA-256 of its index tail, its index
// parses and every blob decodes to its id (file manifests to their sum). Returns the entries.
StatusOr<std::vector<PackEntry>> VerifyPack(std::string_view pack, std::string_view pack_id);
// VerifyPack, then the pack's tail from its index on: what index/<pack_id>.idx must hold.
StatusOr<std::string> VerifiedIndexTail(std::string_view pack, std::string_view pack_id);

// Decodes a blob's stored bytes (exactly entry.stored of them): decompresses if needed and
// checks the size and that the SHA-256 is the id (for file manifests, whose id is the hash of
// the file they describe, that it is the entry's sum).
StatusOr<std::string> DecodeBlob(std::string_view stored, const PackEntry& entry, std::string_view pack_id);
// The same, taking the buffer: an uncompressed blob is returned without a copy.
StatusOr<std::string> DecodeBlob(std::string&& stored, const PackEntry& entry, std::string_view pack_id);

// Reads a blob from an in-memory pack, bounds-checked.
StatusOr<std::string> ReadBlob(std::string_view pack, const PackEntry& entry, std::string_view pack_id);

// Reads a blob from an open pack file: only its byte range (pread), then DecodeBlob.
StatusOr<std::string> ReadBlobFromFile(int fd, const PackEntry& entry, std::string_view pack_id);

// For reading many blobs at once (a restore): ReadBlobFromFile without the hash check, which
// VerifyBlobs then does for all of them, two SHA-256 at a time (sha256_pair.h) - twice as fast.
// Nothing read this way may be used before VerifyBlobs has passed.
StatusOr<std::string> ReadBlobFromFileUnverified(int fd, const PackEntry& entry, std::string_view pack_id);
// Checks raws[i] against entries[i] (its id; a file manifest's sum); the first mismatch is a
// Corrupt error naming pack_ids[i] and the blob's offset.
Status VerifyBlobs(const std::vector<std::string_view>& raws, const std::vector<PackEntry>& entries,
                   const std::vector<std::string_view>& pack_ids);

}  // namespace trail::store
