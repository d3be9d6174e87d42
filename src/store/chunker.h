// Content-defined chunking (FastCDC, Xia et al., USENIX ATC 2016).
//
// A gear rolling hash, fingerprint = (fingerprint << 1) + kGearTable[byte], looks at the last 64
// bytes; a position is a cut point when the fingerprint's top bits are all zero. Two masks
// normalize chunk sizes: before `avg` bytes the mask has two more bits (cuts are rarer), after
// it two fewer (cuts are likelier), so sizes cluster around `avg`. The first `min` bytes of a
// chunk are skipped without hashing, and a chunk is cut at `max` bytes regardless.
//
// A cut point depends only on the bytes since the previous cut, never on how the input was
// split into blocks, so an edit only changes the chunks around it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "trail/status.h"

namespace trail::store {

struct ChunkerParams {
  uint32_t min_size;
  uint32_t avg_size;  // rounded down to a power of two for the masks
  uint32_t max_size;

  // Checks 64 <= min < avg < max <= 1 GiB.
  Status Validate() const;
};

// Model checkpoints: large, dense float tensors that rarely dedup within a version but do across
// versions (frozen layers, partially updated weights). Chunks of 512 KiB on average keep the
// index small (about 2,000 entries per GiB) while an edit costs little more than its own bytes:
// measured on 10 versions of 256 MiB with 5% rewritten each (bench/store_chunk_bench), a 1 MiB
// average stored 1.62x one version, over the 1.6x budget; see docs/formats/store.md.
inline constexpr ChunkerParams kCheckpointChunking{128 << 10, 512 << 10, 2 << 20};

// Data sets (CSV, Parquet, JSONL, images in shards): edits touch a few rows, so smaller chunks
// confine a change to a few hundred KiB of new data, at four times the index entries.
inline constexpr ChunkerParams kDatasetChunking{64 << 10, 256 << 10, 1 << 20};

// A chunk of the stream: absolute byte offset from the first byte ever fed, and length.
struct Chunk {
  uint64_t offset;
  uint64_t length;
  bool operator==(const Chunk&) const = default;
};

// Streaming chunker: feed blocks of any size, receive the boundaries of the chunks that ended.
// Holds no data, only the hash state, so memory is constant whatever the file size; the caller
// keeps the bytes of the unfinished chunk (at most max_size). Not thread-safe.
class Chunker {
 public:
  // The params must be valid (see ChunkerParams::Validate); asserts otherwise.
  explicit Chunker(const ChunkerParams& params);

  // Appends to `out` the chunks that end within `block`.
  void Feed(std::string_view block, std::vector<Chunk>* out);
  // Appends the last, possibly short, chunk (if any bytes are pending) and resets for a new
  // stream starting at offset 0.
  void Finish(std::vector<Chunk>* out);

  // Bytes fed so far.
  uint64_t position() const { return chunk_start_ + pending_; }

 private:
  static size_t Scan(const unsigned char* p, size_t i, size_t end, uint64_t mask, uint64_t* fp, bool* cut);
  uint32_t min_size_;
  uint32_t avg_size_;
  uint32_t max_size_;
  uint64_t mask_small_;  // used before avg_size: more bits, fewer cuts
  uint64_t mask_large_;  // used from avg_size on: fewer bits, more cuts
  uint64_t chunk_start_ = 0;
  uint64_t pending_ = 0;  // bytes of the current chunk seen so far
  uint64_t fingerprint_ = 0;
};

// Chunks a whole buffer in one go; the same boundaries as feeding it in any blocks.
std::vector<Chunk> ChunkBuffer(std::string_view data, const ChunkerParams& params);

}  // namespace trail::store
