// Files small enough to read whole (under one 16 MiB window: images, shards, configs), made
// ready for the store off the thread that appends to it. A folder of thousands of them is most
// of a data set's `trail add`, so they are prepared several at a time on worker threads, and
// hashed two messages at a time across files (sha256_pair.h): a file of one chunk has one id for
// both, and is hashed once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/file_store.h"
#include "store/pack.h"

namespace trail::store {

// Files at least this big go through StoreFile's streaming pipeline instead.
inline constexpr size_t kSmallFileLimit = size_t{16} << 20;

// One file chunked, hashed, probed and compressed: the blobs to put, in order (its chunks, then
// its manifest). Uncompressed chunk blobs point into the content the file was prepared from.
struct PreparedFile {
  FileManifest manifest;
  std::unique_ptr<std::string> manifest_json;  // what the manifest blob points into
  std::vector<PreparedBlob> blobs;
};

// Prepares files held in memory (contents[i] chunked with params[i]); the contents must outlive
// the result.
StatusOr<std::vector<PreparedFile>> PrepareFiles(const std::vector<std::string_view>& contents,
                                                 const std::vector<ChunkerParams>& params);

// Puts a prepared file's blobs into the store, in order.
Status PutPreparedFile(LocalStore& store, const PreparedFile& file);

// Reads until `want` bytes or the end of the file; returns how many it read.
StatusOr<size_t> ReadFull(int fd, char* out, size_t want, const std::string& path);

// Reads a file of `size` bytes (its size when it was listed) whole into `out`; FailedPrecondition
// when it is now bigger, so a file that changes while it is stored is never stored torn.
Status ReadSmallFile(int fd, const std::string& path, size_t size, std::string* out);

}  // namespace trail::store
