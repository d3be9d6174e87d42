#include "store/file_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/files.h"
#include "base/test_temp_dir.h"
#include "store/sha256_pair.h"
#include "store/test_data.h"

namespace trail::store {
namespace {

namespace fs = std::filesystem;

uint64_t PackBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(dir) / "packs")) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

void WriteBytes(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// Without SHA-NI the chunks are hashed on the batch workers instead of beside the whole file:
// the same ids, chunks and manifest either way.
TEST(FileStoreTest, SameManifestWithAndWithoutTheTwoStreamKernel) {
  trail::testing::TempDir tmp;
  const std::string data = testing::RandomBytes(40 << 20, 9);  // three 16 MiB windows
  WriteBytes(tmp.File("in.bin"), data);
  auto with = std::move(LocalStore::Open(tmp.File("with"))).value();
  auto m = StoreFile(*with, tmp.File("in.bin"), kCheckpointChunking);
  ASSERT_TRUE(m.ok()) << m.status().message();
  internal::UseSha256PairKernel(false);
  auto without = std::move(LocalStore::Open(tmp.File("without"))).value();
  auto n = StoreFile(*without, tmp.File("in.bin"), kCheckpointChunking);
  internal::UseSha256PairKernel(true);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(m->id, Sha256Of(data));
  EXPECT_EQ(n->id, m->id);
  EXPECT_EQ(n->chunks, m->chunks);
  for (const ManifestChunk& c : m->chunks) EXPECT_TRUE(without->Has(BlobType::kChunk, c.id));
}

// A folder's files go through StoreFiles: small ones prepared on workers several at a time,
// big ones through the streaming pipeline in their turn. Every file must come out as StoreFile
// alone would store it, in the order given.
TEST(FileStoreTest, StoreFilesMatchesStoreFileOneByOne) {
  trail::testing::TempDir tmp;
  const std::vector<size_t> sizes = {0, 10, 200 << 10, 3 << 20, 20 << 20, 1, 5 << 20, 64, 17 << 20, 300 << 10};
  std::vector<std::string> paths, contents;
  std::vector<ChunkerParams> params;
  for (size_t i = 0; i < sizes.size(); ++i) {
    contents.push_back(testing::RandomBytes(sizes[i], 100 + i));
    paths.push_back(tmp.File("f" + std::to_string(i)));
    WriteBytes(paths.back(), contents.back());
    params.push_back(i % 2 ? kCheckpointChunking : kDatasetChunking);
  }
  // Plenty of small files too, so several worker tasks are in flight at once.
  for (int i = 0; i < 600; ++i) {
    contents.push_back(testing::RandomBytes(20000 + 37 * i, 1000 + i));
    paths.push_back(tmp.File("s" + std::to_string(i)));
    WriteBytes(paths.back(), contents.back());
    params.push_back(kDatasetChunking);
  }
  auto store = std::move(LocalStore::Open(tmp.File("store"))).value();
  auto stored = StoreFiles(*store, paths, params);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_EQ(stored->size(), paths.size());
  auto one_by_one = std::move(LocalStore::Open(tmp.File("one"))).value();
  for (size_t i = 0; i < paths.size(); ++i) {
    auto m = StoreFile(*one_by_one, paths[i], params[i], /*flush=*/false);
    ASSERT_TRUE(m.ok()) << m.status().message();
    EXPECT_EQ((*stored)[i].id, Sha256Of(contents[i])) << i;
    EXPECT_EQ((*stored)[i].id, m->id) << i;
    EXPECT_EQ((*stored)[i].size, contents[i].size()) << i;
    EXPECT_EQ((*stored)[i].chunks, m->chunks) << i;
  }
  auto reopened = std::move(LocalStore::Open(tmp.File("store"))).value();
  for (size_t i : {size_t{2}, size_t{3}, size_t{4}, size_t{9}, size_t{300}}) {
    ASSERT_TRUE(RestoreFile(*reopened, (*stored)[i].id, tmp.File("out")).ok()) << i;
    EXPECT_TRUE(ReadFile(tmp.File("out")).value() == contents[i]) << i;
  }

  // A file that vanished since it was listed is named, whichever task it was in.
  fs::remove(paths[300]);
  auto missing = StoreFiles(*store, paths, params);
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find(paths[300]), std::string::npos) << missing.status().message();
}

TEST(FileStoreTest, RandomFileRoundTripAndDedup) {
  trail::testing::TempDir tmp;
  const std::string data = testing::RandomBytes(20 << 20, 42);  // spans three 8 MiB blocks
  WriteBytes(tmp.File("in.bin"), data);
  auto store = std::move(LocalStore::Open(tmp.File("store"))).value();

  auto m = StoreFile(*store, tmp.File("in.bin"), kDatasetChunking);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->id, Sha256Of(data));  // the git-lfs oid
  EXPECT_EQ(m->size, data.size());
  EXPECT_GT(m->chunks.size(), 20u);
  // The chunks are the same as chunking the buffer in one go: block edges do not matter.
  const auto expected = ChunkBuffer(data, kDatasetChunking);
  ASSERT_EQ(m->chunks.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(m->chunks[i].size, expected[i].length);

  const uint64_t packed = PackBytes(tmp.File("store"));
  EXPECT_LT(packed, data.size() + data.size() / 50);  // random data: stored as is, small overhead

  // Storing the same file again adds nothing.
  auto again = StoreFile(*store, tmp.File("in.bin"), kDatasetChunking);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(PackBytes(tmp.File("store")), packed);

  // Restore from a freshly opened store.
  auto reopened = std::move(LocalStore::Open(tmp.File("store"))).value();
  ASSERT_TRUE(RestoreFile(*reopened, m->id, tmp.File("out.bin")).ok());
  EXPECT_EQ(ReadFile(tmp.File("out.bin")).value(), data);
  // No temp file left beside it.
  for (const auto& name : ListDirectory(tmp.path())) EXPECT_EQ(name.find("tmp"), std::string::npos) << name;
}

TEST(FileStoreTest, EmptyFile) {
  trail::testing::TempDir tmp;
  WriteBytes(tmp.File("empty"), "");
  auto store = std::move(LocalStore::Open(tmp.File("store"))).value();
  auto m = StoreFile(*store, tmp.File("empty"), kCheckpointChunking);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(ToHex(m->id), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(m->size, 0u);
  EXPECT_TRUE(m->chunks.empty());
  WriteBytes(tmp.File("out"), "old content");
  ASSERT_TRUE(RestoreFile(*store, m->id, tmp.File("out")).ok());
  EXPECT_EQ(ReadFile(tmp.File("out")).value(), "");
}

TEST(FileStoreTest, SingleChunkFileKeepsItsManifest) {
  // The file's id equals its only chunk's id; both blobs must be stored.
  trail::testing::TempDir tmp;
  const std::string data = "a,b\n1,2\n";
  WriteBytes(tmp.File("small.csv"), data);
  auto store = std::move(LocalStore::Open(tmp.File("store"))).value();
  auto m = StoreFile(*store, tmp.File("small.csv"), kDatasetChunking);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->chunks.size(), 1u);
  EXPECT_EQ(m->chunks[0].id, m->id);
  EXPECT_TRUE(store->Has(BlobType::kFile, m->id));
  EXPECT_TRUE(store->Has(BlobType::kChunk, m->id));
  ASSERT_TRUE(RestoreFile(*store, m->id, tmp.File("out.csv")).ok());
  EXPECT_EQ(ReadFile(tmp.File("out.csv")).value(), data);
}

TEST(FileStoreTest, ManifestJsonRoundTripAndErrors) {
  FileManifest m;
  m.id = Sha256Of("x");
  m.size = 30;
  m.chunking = kDatasetChunking;
  m.chunks = {{Sha256Of("a"), 10}, {Sha256Of("b"), 20}};
  auto back = ManifestFromJson(ManifestToJson(m), m.id);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->size, 30u);
  EXPECT_EQ(back->chunks, m.chunks);
  EXPECT_EQ(back->chunking.avg_size, kDatasetChunking.avg_size);
  m.size = 31;
  EXPECT_EQ(ManifestFromJson(ManifestToJson(m), m.id).status().code(), Code::kCorrupt);
  EXPECT_EQ(ManifestFromJson("{", m.id).status().code(), Code::kCorrupt);
  EXPECT_EQ(ManifestFromJson("{\"size\":0}", m.id).status().code(), Code::kCorrupt);
}

TEST(FileStoreTest, MissingObjectsAndFiles) {
  trail::testing::TempDir tmp;
  auto store = std::move(LocalStore::Open(tmp.File("store"))).value();
  EXPECT_EQ(StoreFile(*store, tmp.File("nope"), kDatasetChunking).status().code(), Code::kNotFound);
  EXPECT_EQ(RestoreFile(*store, Sha256Of("nope"), tmp.File("out")).code(), Code::kNotFound);
  EXPECT_FALSE(PathExists(tmp.File("out")));
}

TEST(FileStoreTest, CorruptChunkLeavesTargetUntouched) {
  trail::testing::TempDir tmp;
  const std::string data = testing::RandomBytes(3 << 20, 7);
  WriteBytes(tmp.File("in"), data);
  auto store = std::move(LocalStore::Open(tmp.File("store"))).value();
  auto m = StoreFile(*store, tmp.File("in"), kDatasetChunking);
  ASSERT_TRUE(m.ok());
  for (const auto& e : fs::recursive_directory_iterator(tmp.File("store/packs"))) {
    if (!e.is_regular_file()) continue;
    std::string bytes = ReadFile(e.path().string()).value();
    bytes[1000] ^= 1;
    WriteBytes(e.path().string(), bytes);
  }
  WriteBytes(tmp.File("out"), "keep");
  const Status s = RestoreFile(*store, m->id, tmp.File("out"));
  EXPECT_EQ(s.code(), Code::kCorrupt) << s.message();
  EXPECT_EQ(ReadFile(tmp.File("out")).value(), "keep");
  for (const auto& name : ListDirectory(tmp.path())) EXPECT_EQ(name.find("tmp"), std::string::npos) << name;
}

}  // namespace
}  // namespace trail::store
