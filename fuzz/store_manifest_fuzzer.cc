// Fuzzes the readers of the store's JSON blobs: tree manifests (store/tree.h, TreeFromJson) and
// file manifests (store/file_store.h, ManifestFromJson). Both come out of packs fetched from a
// remote, so their bytes are outside input even when the pack's checksums hold.
//
// Checks, beyond "never crashes":
//   - Errors are Corrupt and name the blob ("tree <hex>: ...", "file manifest <hex>: ...").
//   - An accepted tree has strictly sorted, safe relative paths (IsSafeRelativePath) and modes
//     within 0777, and survives TreeToJson -> TreeFromJson exactly.
//   - An accepted file manifest keeps the id it was given, its chunk sizes add up to its size,
//     no chunk is over kMaxBlobRawSize, and it survives ManifestToJson -> ManifestFromJson.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/safe_path.h"
#include "fuzz/check.h"
#include "store/file_store.h"
#include "store/pack.h"
#include "store/tree.h"

namespace trail::fuzz {
namespace {

const store::Sha256Digest& Id() {
  static const store::Sha256Digest id = store::Sha256Of("fuzz");
  return id;
}

void CheckError(const Status& status, const std::string& prefix, std::string_view input) {
  FUZZ_CHECK(status.code() == Code::kCorrupt, "error is not Corrupt: " + status.message());
  FUZZ_CHECK(status.message().starts_with(prefix + store::ToHex(Id()) + ": "),
             "error does not name the blob: " + Escaped(status.message()) + "\n  input: " + Escaped(input));
}

void CheckTree(const store::TreeManifest& tree, std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  for (size_t i = 0; i < tree.entries.size(); ++i) {
    const store::TreeEntry& e = tree.entries[i];
    FUZZ_CHECK(IsSafeRelativePath(e.path), note("unsafe path accepted: " + Escaped(e.path)));
    FUZZ_CHECK(e.mode <= 0777, note("mode beyond 0777"));
    if (i > 0) FUZZ_CHECK(tree.entries[i - 1].path < e.path, note("entries not strictly sorted"));
  }
  const std::string json = store::TreeToJson(tree);
  StatusOr<store::TreeManifest> back = store::TreeFromJson(json, Id());
  FUZZ_CHECK(back.ok(), note("TreeToJson wrote what TreeFromJson rejects: " + back.status().message()));
  FUZZ_CHECK(back->entries == tree.entries, note("tree changed through TreeToJson: " + Escaped(json)));
}

void CheckManifest(const store::FileManifest& m, std::string_view input) {
  auto note = [&](const std::string& what) { return what + "\n  input: " + Escaped(input); };
  FUZZ_CHECK(m.id == Id(), note("manifest lost its id"));
  uint64_t total = 0;
  for (const store::ManifestChunk& c : m.chunks) {
    FUZZ_CHECK(c.size <= store::kMaxBlobRawSize, note("chunk over the size limit"));
    total += c.size;
  }
  FUZZ_CHECK(total == m.size, note("chunk sizes do not add up"));
  const std::string json = store::ManifestToJson(m);
  StatusOr<store::FileManifest> back = store::ManifestFromJson(json, Id());
  FUZZ_CHECK(back.ok(), note("ManifestToJson wrote what ManifestFromJson rejects: " + back.status().message()));
  FUZZ_CHECK(back->id == m.id && back->size == m.size && back->chunks == m.chunks &&
                 back->chunking.min_size == m.chunking.min_size && back->chunking.avg_size == m.chunking.avg_size &&
                 back->chunking.max_size == m.chunking.max_size,
             note("manifest changed through ManifestToJson: " + Escaped(json)));
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  StatusOr<store::TreeManifest> tree = store::TreeFromJson(input, fuzz::Id());
  if (tree.ok()) {
    fuzz::CheckTree(*tree, input);
  } else {
    fuzz::CheckError(tree.status(), "tree ", input);
  }
  StatusOr<store::FileManifest> manifest = store::ManifestFromJson(input, fuzz::Id());
  if (manifest.ok()) {
    fuzz::CheckManifest(*manifest, input);
  } else {
    fuzz::CheckError(manifest.status(), "file manifest ", input);
  }
  return 0;
}
