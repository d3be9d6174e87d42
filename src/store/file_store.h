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

// Streams `path` in 8 MiB blocks through the chunker and SHA-256 (memory: one block plus one
// unfinished chunk), puts every new chunk and the manifest, and flushes the store, so the file
// is durable when this returns.
StatusOr<FileManifest> StoreFile(LocalStore& store, const std::string& path, const ChunkerParams& params);

// Rebuilds the file `file_id` at `out_path`: writes a temp file beside it, checks the whole
// file's SHA-256 against `file_id` (which also vouches for the manifest, whose id is not its own
// hash), fsyncs and renames it into place. On any error `out_path` is left untouched.
Status RestoreFile(const LocalStore& store, const Sha256Digest& file_id, const std::string& out_path);

}  // namespace trail::store
