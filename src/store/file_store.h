// Whole files in and out of the store: a file is cut into content-defined chunks, each stored
// as a chunk blob, plus a file manifest blob listing them, stored under the SHA-256 of the
// whole file (the git-lfs oid), so a pointer file's oid is all a checkout needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/chunker.h"
#include "store/hash.h"
#include "store/local_store.h"
#include "trail/progress.h"
#include "trail/status.h"

namespace trail::store {

struct ManifestChunk {
  Sha256Digest id{};
  uint64_t size = 0;
  bool operator==(const ManifestChunk&) const = default;
};

struct FileManifest {
  Sha256Digest id{};  // SHA-256 of the whole file; not stored in the JSON, it is the blob's id
  uint64_t size = 0;
  ChunkerParams chunking{};
  std::vector<ManifestChunk> chunks;
};

// Canonical JSON: {"size":N,"chunker":{"min":..,"avg":..,"max":..},"chunks":[{"id":hex,"size":N},...]}
std::string ManifestToJson(const FileManifest& manifest);
// Inverse; Corrupt when it does not parse or the chunk sizes do not add up to the size.
StatusOr<FileManifest> ManifestFromJson(std::string_view json, const Sha256Digest& id);

// Streams `path` through the chunker and SHA-256 on every core (file_ingest.cc; memory bounded
// by a few 16 MiB windows), puts every new chunk and the manifest and, with `flush`, flushes
// the store so the file is durable when this returns. Callers storing many files flush once.
// `progress` (may be null) gets the bytes as they are read, then the file as one unit.
StatusOr<FileManifest> StoreFile(LocalStore& store, const std::string& path, const ChunkerParams& params,
                                 bool flush = true, ProgressSink* progress = nullptr);

// Stores many files (a folder's), each as StoreFile would, and returns their manifests in the
// same order. Files under 16 MiB are read, chunked, hashed and compressed on worker threads,
// several files per task, while this thread appends them to the store in order; bigger ones go
// through StoreFile's pipeline in their turn. Memory: a few tasks of a few MiB. Does not flush.
// `progress` (may be null) gets each file, with its bytes, once it is in the store.
StatusOr<std::vector<FileManifest>> StoreFiles(LocalStore& store, const std::vector<std::string>& paths,
                                               const std::vector<ChunkerParams>& params,
                                               ProgressSink* progress = nullptr);

// The same for bytes in memory (a metric series, a generated file): stored as the file they
// would be, with the same id.
StatusOr<FileManifest> StoreBuffer(LocalStore& store, std::string_view bytes, const ChunkerParams& params,
                                   bool flush = true);

// Reads and parses a file's manifest (verified against its sum by the store).
StatusOr<FileManifest> LoadManifest(const LocalStore& store, const Sha256Digest& file_id);

// A stored file's content in memory, verified; FailedPrecondition past `max_size`.
StatusOr<std::string> ReadFileBytes(const LocalStore& store, const Sha256Digest& file_id,
                                    uint64_t max_size = uint64_t{1} << 30);

// Rebuilds the file `file_id` at `out_path`: writes a temp file beside it, fsyncs and renames
// it into place; on any error `out_path` is left untouched. Chunks are read and verified on
// worker threads while the writer writes in order. Every chunk is checked against its id and the
// manifest against its sum, which chains back to the file's id, so the whole file is correct by
// construction; `verify_whole` also re-hashes the result (fsck's deep check). `progress` (may
// be null) gets the bytes as they are written, then the file as one unit.
Status RestoreFile(const LocalStore& store, const Sha256Digest& file_id, const std::string& out_path,
                   bool verify_whole = false, ProgressSink* progress = nullptr);

}  // namespace trail::store
