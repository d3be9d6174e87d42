// Tree manifests: a folder stored as one object (docs/formats/store.md, "Objects and ids").
// Its id is the SHA-256 of its canonical JSON, so two identical folders share one tree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/hash.h"
#include "store/local_store.h"
#include "trail/status.h"

namespace trail::store {

struct TreeEntry {
  std::string path;  // relative, '/'-separated, no "." or ".." parts
  uint32_t mode = 0644;
  Sha256Digest file{};  // the file's id
  uint64_t size = 0;
  bool operator==(const TreeEntry&) const = default;
};

struct TreeManifest {
  std::vector<TreeEntry> entries;  // sorted by path
  uint64_t TotalSize() const;
};

// Canonical JSON: {"entries":[{"path":..,"mode":..,"oid":hex,"size":N},...]}, sorted by path.
std::string TreeToJson(const TreeManifest& tree);
// Inverse; Corrupt for anything malformed, including unsafe paths (util/safe_path.h: "..", absolute,
// empty, backslash).
StatusOr<TreeManifest> TreeFromJson(std::string_view json, const Sha256Digest& id);

// Puts the tree (sorted first) and returns its id. Does not flush.
StatusOr<Sha256Digest> PutTree(LocalStore& store, TreeManifest tree);
StatusOr<TreeManifest> LoadTree(const LocalStore& store, const Sha256Digest& id);

}  // namespace trail::store
