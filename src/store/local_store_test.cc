#include "store/local_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/files.h"
#include "base/test_temp_dir.h"
#include "store/test_data.h"

namespace trail::store {
namespace {

namespace fs = std::filesystem;

uint64_t BytesUnder(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

std::vector<std::string> PackFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(dir) / "packs")) {
    if (e.is_regular_file()) out.push_back(e.path().string());
  }
  return out;
}

TEST(LocalStoreTest, OpenCreatesLayout) {
  trail::testing::TempDir tmp;
  const std::string dir = tmp.File("store");
  auto store = LocalStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_TRUE(IsDirectory(dir + "/packs"));
  EXPECT_TRUE(IsDirectory(dir + "/index"));
  const std::string config = ReadFile(dir + "/config").value();
  EXPECT_EQ(config.rfind("trail-store 1\n", 0), 0u);
  // Reopening leaves the config alone; another format is refused.
  ASSERT_TRUE(LocalStore::Open(dir).ok());
  EXPECT_EQ(ReadFile(dir + "/config").value(), config);
  ASSERT_TRUE(WriteFileAtomic(dir + "/config", "trail-store 99\n").ok());
  EXPECT_EQ(LocalStore::Open(dir).status().code(), Code::kFailedPrecondition);
}

TEST(LocalStoreTest, PutFlushReopenGet) {
  trail::testing::TempDir tmp;
  const std::string text(100000, 'x');
  const std::string noise = testing::RandomBytes(300000, 5);
  const Sha256Digest a = Sha256Of(text), b = Sha256Of(noise);
  {
    auto store = std::move(LocalStore::Open(tmp.path())).value();
    ASSERT_TRUE(store->Put(a, BlobType::kChunk, text).ok());
    ASSERT_TRUE(store->Put(b, BlobType::kChunk, noise).ok());
    EXPECT_TRUE(store->Has(BlobType::kChunk, a));
    // Readable before the flush, from the pack being built.
    EXPECT_EQ(store->Get(BlobType::kChunk, a).value(), text);
    ASSERT_TRUE(store->Flush().ok());
    EXPECT_EQ(store->pack_count(), 1u);
    EXPECT_EQ(store->Get(BlobType::kChunk, b).value(), noise);
  }
  auto store = std::move(LocalStore::Open(tmp.path())).value();
  EXPECT_EQ(store->blob_count(), 2u);
  EXPECT_TRUE(store->Has(BlobType::kChunk, a));
  EXPECT_EQ(store->Get(BlobType::kChunk, a).value(), text);
  EXPECT_EQ(store->Get(BlobType::kChunk, b).value(), noise);
  EXPECT_FALSE(store->Has(BlobType::kFile, b));  // same id, another type
  EXPECT_EQ(store->Get(BlobType::kChunk, Sha256Of("nope")).status().code(), Code::kNotFound);

  // Pack and index are named by the hash of the pack's index tail (the .idx file) and the pack is where the layout
  // says.
  const auto packs = PackFiles(tmp.path());
  ASSERT_EQ(packs.size(), 1u);
  const std::string name = fs::path(packs[0]).stem().string();
  EXPECT_EQ(fs::path(packs[0]).parent_path().filename().string(), name.substr(0, 2));
  EXPECT_TRUE(PathExists(tmp.path() + "/index/" + name + ".idx"));
  const std::string bytes = ReadFile(packs[0]).value();
  EXPECT_EQ(ToHex(Sha256Of(ReadFile(tmp.path() + "/index/" + name + ".idx").value())), name);
  EXPECT_EQ(bytes.substr(bytes.size() - ReadFile(tmp.path() + "/index/" + name + ".idx").value().size()),
            ReadFile(tmp.path() + "/index/" + name + ".idx").value());
  EXPECT_TRUE(VerifyPack(ReadFile(packs[0]).value(), name).ok());
}

TEST(LocalStoreTest, DedupStoresOnce) {
  trail::testing::TempDir tmp;
  const std::string noise = testing::RandomBytes(200000, 8);
  const Sha256Digest id = Sha256Of(noise);
  auto store = std::move(LocalStore::Open(tmp.path())).value();
  ASSERT_TRUE(store->Put(id, BlobType::kChunk, noise).ok());
  ASSERT_TRUE(store->Put(id, BlobType::kChunk, noise).ok());  // pending: skipped
  ASSERT_TRUE(store->Flush().ok());
  const uint64_t after_first = BytesUnder(tmp.path());
  EXPECT_LT(after_first, 2 * noise.size());
  ASSERT_TRUE(store->Put(id, BlobType::kChunk, noise).ok());  // stored: skipped
  ASSERT_TRUE(store->Flush().ok());                           // nothing to write
  EXPECT_EQ(BytesUnder(tmp.path()), after_first);
  EXPECT_EQ(store->pack_count(), 1u);
  auto reopened = std::move(LocalStore::Open(tmp.path())).value();
  ASSERT_TRUE(reopened->Put(id, BlobType::kChunk, noise).ok());
  ASSERT_TRUE(reopened->Flush().ok());
  EXPECT_EQ(BytesUnder(tmp.path()), after_first);
}

TEST(LocalStoreTest, FullPackIsWrittenOnPut) {
  trail::testing::TempDir tmp;
  auto store = std::move(LocalStore::Open(tmp.path(), /*pack_target_size=*/100000)).value();
  std::vector<std::string> blobs;
  for (int i = 0; i < 5; ++i) blobs.push_back(testing::RandomBytes(60000, 100 + i));
  for (const auto& b : blobs) ASSERT_TRUE(store->Put(Sha256Of(b), BlobType::kChunk, b).ok());
  EXPECT_EQ(store->pack_count(), 2u);  // two full packs written, one blob pending
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(store->pack_count(), 3u);
  auto reopened = std::move(LocalStore::Open(tmp.path())).value();
  for (const auto& b : blobs) EXPECT_EQ(reopened->Get(BlobType::kChunk, Sha256Of(b)).value(), b);
}

// A full pack is published (renamed, indexed) by the background writer before Flush: a crash
// after it leaves whole packs the next add reuses. The writer's own object still reads them.
TEST(LocalStoreTest, FullPacksArePublishedBeforeFlush) {
  trail::testing::TempDir tmp;
  auto store = std::move(LocalStore::Open(tmp.path(), /*pack_target_size=*/100000)).value();
  std::vector<std::string> blobs;
  for (int i = 0; i < 7; ++i) blobs.push_back(testing::RandomBytes(60000, 200 + i));
  for (const auto& b : blobs) ASSERT_TRUE(store->Put(Sha256Of(b), BlobType::kChunk, b).ok());
  for (const auto& b : blobs) EXPECT_EQ(store->Get(BlobType::kChunk, Sha256Of(b)).value(), b);
  // Three packs are sealed (the Gets waited for the last one's writer); blob 6 is still pending.
  auto other = std::move(LocalStore::Open(tmp.path())).value();
  EXPECT_EQ(other->pack_count(), 3u);
  EXPECT_TRUE(other->Has(BlobType::kChunk, Sha256Of(blobs[0])));
  EXPECT_FALSE(other->Has(BlobType::kChunk, Sha256Of(blobs[6])));  // still in the open pack
  for (const auto& f : PackFiles(tmp.path())) EXPECT_EQ(f.find(".tmp-"), std::string::npos) << f;
  ASSERT_TRUE(store->Flush().ok());
  auto reopened = std::move(LocalStore::Open(tmp.path())).value();
  for (const auto& b : blobs) EXPECT_EQ(reopened->Get(BlobType::kChunk, Sha256Of(b)).value(), b);
}

TEST(LocalStoreTest, SealIfAtLeastEndsOnlyABigEnoughPack) {
  trail::testing::TempDir tmp;
  auto store = std::move(LocalStore::Open(tmp.path(), /*pack_target_size=*/1 << 20)).value();
  ASSERT_TRUE(store->SealIfAtLeast(1).ok());  // nothing pending: no empty pack
  EXPECT_EQ(store->pack_count(), 0u);
  const std::string a = testing::RandomBytes(100000, 1), b = testing::RandomBytes(100000, 2);
  ASSERT_TRUE(store->Put(Sha256Of(a), BlobType::kChunk, a).ok());
  ASSERT_TRUE(store->SealIfAtLeast(200000).ok());
  EXPECT_EQ(store->pack_count(), 0u);
  ASSERT_TRUE(store->SealIfAtLeast(50000).ok());
  EXPECT_EQ(store->pack_count(), 1u);
  ASSERT_TRUE(store->Put(Sha256Of(b), BlobType::kChunk, b).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(store->pack_count(), 2u);
  auto reopened = std::move(LocalStore::Open(tmp.path())).value();
  EXPECT_EQ(reopened->Get(BlobType::kChunk, Sha256Of(a)).value(), a);
  EXPECT_EQ(reopened->Get(BlobType::kChunk, Sha256Of(b)).value(), b);
}

TEST(LocalStoreTest, LeftoversAreIgnoredOnOpen) {
  trail::testing::TempDir tmp;
  const std::string blob = testing::RandomBytes(5000, 11);
  {
    auto store = std::move(LocalStore::Open(tmp.path())).value();
    ASSERT_TRUE(store->Put(Sha256Of(blob), BlobType::kChunk, blob).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  // A temp file from an interrupted index write, and a pack whose index was never written.
  const std::string idx_dir = tmp.path() + "/index/";
  const std::string name = ListDirectory(idx_dir).at(0);
  std::ofstream(idx_dir + name + ".tmp-123-456") << "half an index";
  std::ofstream(idx_dir + "junk.txt") << "x";
  const std::string orphan = testing::RandomBytes(5000, 12);
  {
    PackWriter w;
    ASSERT_TRUE(w.Add(Sha256Of(orphan), BlobType::kChunk, orphan).ok());
    FinishedPack p = std::move(w.Finish()).value();
    ASSERT_TRUE(MakeDirs(tmp.path() + "/packs/" + p.id.substr(0, 2)).ok());
    ASSERT_TRUE(WriteFileAtomic(tmp.path() + "/packs/" + p.id.substr(0, 2) + "/" + p.id + ".pack", p.bytes).ok());
  }
  auto store = LocalStore::Open(tmp.path());
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->blob_count(), 1u);
  EXPECT_TRUE((*store)->Has(BlobType::kChunk, Sha256Of(blob)));
  EXPECT_FALSE((*store)->Has(BlobType::kChunk, Sha256Of(orphan)));  // invisible without its index
}

// GetMany reads a run of blobs and verifies them together: every blob still comes back as put,
// blobs of the pack still filling come through Get, and one damaged blob among many fails the
// call, naming its pack and offset.
TEST(LocalStoreTest, GetManyVerifiesEveryBlob) {
  trail::testing::TempDir tmp;
  std::vector<std::string> blobs;
  std::vector<Sha256Digest> ids;
  for (int i = 0; i < 9; ++i) {
    blobs.push_back(testing::RandomBytes(1000 + 4099 * i, 50 + i));
    ids.push_back(Sha256Of(blobs.back()));
  }
  auto store = std::move(LocalStore::Open(tmp.path())).value();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(store->Put(ids[i], BlobType::kChunk, blobs[i]).ok());
  ASSERT_TRUE(store->Flush().ok());
  for (int i = 6; i < 9; ++i) ASSERT_TRUE(store->Put(ids[i], BlobType::kChunk, blobs[i]).ok());  // not flushed
  std::vector<Sha256Digest> order = {ids[3], ids[7], ids[0], ids[0], ids[8], ids[5], ids[1], ids[2], ids[6], ids[4]};
  auto got = store->GetMany(BlobType::kChunk, order);
  ASSERT_TRUE(got.ok()) << got.status().message();
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(Sha256Of((*got)[i]), order[i]) << i;
  ASSERT_TRUE(store->Flush().ok());

  const std::string pack = PackFiles(tmp.path()).at(0);
  const std::string pack_id = fs::path(pack).stem().string();
  std::string bytes = ReadFile(pack).value();
  bytes[8 + 1000 + 5099 + 7] ^= 1;  // inside the third blob (after the magic and two blobs)
  { std::ofstream(pack, std::ios::binary | std::ios::trunc) << bytes; }
  auto reopened = std::move(LocalStore::Open(tmp.path())).value();
  auto bad = reopened->GetMany(BlobType::kChunk, {ids[0], ids[1], ids[2], ids[3]});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kCorrupt);
  EXPECT_NE(bad.status().message().find("pack " + pack_id + ": offset " + std::to_string(8 + 1000 + 5099)),
            std::string::npos)
      << bad.status().message();
  EXPECT_TRUE(reopened->GetMany(BlobType::kChunk, {ids[0], ids[1], ids[3]}).ok());
}

TEST(LocalStoreTest, CorruptPackAndIndexAreReported) {
  trail::testing::TempDir tmp;
  const std::string blob = testing::RandomBytes(5000, 13);
  const Sha256Digest id = Sha256Of(blob);
  {
    auto store = std::move(LocalStore::Open(tmp.path())).value();
    ASSERT_TRUE(store->Put(id, BlobType::kChunk, blob).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  const std::string pack = PackFiles(tmp.path()).at(0);
  const std::string pack_id = fs::path(pack).stem().string();
  std::string bytes = ReadFile(pack).value();
  bytes[20] ^= 1;
  { std::ofstream(pack, std::ios::binary | std::ios::trunc) << bytes; }
  auto store = std::move(LocalStore::Open(tmp.path())).value();
  auto got = store->Get(BlobType::kChunk, id);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kCorrupt);
  EXPECT_NE(got.status().message().find("pack " + pack_id + ": offset 8:"), std::string::npos)
      << got.status().message();

  // A truncated pack: the blob's range is cut short.
  fs::resize_file(pack, 100);
  EXPECT_EQ(store->Get(BlobType::kChunk, id).status().code(), Code::kCorrupt);
  // A missing pack.
  fs::remove(pack);
  EXPECT_EQ(store->Get(BlobType::kChunk, id).status().code(), Code::kNotFound);

  // A damaged .idx makes Open fail, naming it.
  const std::string idx = tmp.path() + "/index/" + pack_id + ".idx";
  fs::resize_file(idx, fs::file_size(idx) - 1);
  auto reopened = LocalStore::Open(tmp.path());
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), Code::kCorrupt);
  EXPECT_NE(reopened.status().message().find(pack_id), std::string::npos);
}

// Issue 13, item 9: a deduplicating add must not trust an index whose pack is gone or cut short.
TEST(LocalStoreTest, MissingOrTruncatedPackIsLeftOutSoItsBlobsAreStoredAgain) {
  trail::testing::TempDir tmp;
  const std::string blob = testing::RandomBytes(50000, 21);
  const Sha256Digest id = Sha256Of(blob);
  auto put = [&] {
    auto store = std::move(LocalStore::Open(tmp.path())).value();
    ASSERT_TRUE(store->Put(id, BlobType::kChunk, blob).ok());
    ASSERT_TRUE(store->Flush().ok());
  };
  put();
  const std::string pack = PackFiles(tmp.path()).at(0);
  fs::resize_file(pack, fs::file_size(pack) / 2);
  {
    auto store = std::move(LocalStore::Open(tmp.path())).value();
    EXPECT_FALSE(store->Has(BlobType::kChunk, id));
    ASSERT_EQ(store->UnusablePacks().size(), 1u);
    EXPECT_EQ(store->UnusablePacks()[0].id, fs::path(pack).stem().string());
    EXPECT_TRUE(store->Packs().empty());
  }
  // Stored again; the same blobs make the same pack (named by its index), now whole.
  put();
  {
    auto store = std::move(LocalStore::Open(tmp.path())).value();
    auto got = store->Get(BlobType::kChunk, id);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, blob);
    EXPECT_TRUE(store->UnusablePacks().empty());
  }
  fs::remove(pack);
  {
    auto store = std::move(LocalStore::Open(tmp.path())).value();
    EXPECT_FALSE(store->Has(BlobType::kChunk, id));
    EXPECT_EQ(store->UnusablePacks().size(), 1u);
  }
  put();
  auto store = std::move(LocalStore::Open(tmp.path())).value();
  auto got = store->Get(BlobType::kChunk, id);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, blob);
}

// Issue 13, item 8: a pack is self-describing, so a lost .idx can be rebuilt from it.
TEST(LocalStoreTest, RebuildIndexFromAnIntactPackOnly) {
  trail::testing::TempDir tmp;
  const std::string blob = testing::RandomBytes(50000, 22);
  const Sha256Digest id = Sha256Of(blob);
  {
    auto store = std::move(LocalStore::Open(tmp.path())).value();
    ASSERT_TRUE(store->Put(id, BlobType::kChunk, blob).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  const std::string pack = PackFiles(tmp.path()).at(0);
  const std::string pack_id = fs::path(pack).stem().string();
  const std::string idx = tmp.path() + "/index/" + pack_id + ".idx";
  const std::string want = ReadFile(idx).value();
  fs::remove(idx);
  {
    auto store = std::move(LocalStore::Open(tmp.path())).value();
    EXPECT_FALSE(store->Has(BlobType::kChunk, id));
    EXPECT_EQ(store->UnindexedPacks(), std::vector<std::string>{pack_id});
  }
  ASSERT_TRUE(LocalStore::RebuildIndex(tmp.path(), pack_id).ok());
  EXPECT_EQ(ReadFile(idx).value(), want);
  {
    auto store = std::move(LocalStore::Open(tmp.path())).value();
    EXPECT_EQ(store->Get(BlobType::kChunk, id).value(), blob);
    EXPECT_TRUE(store->UnindexedPacks().empty());
  }
  // A damaged pack is not vouched for: no index is written.
  fs::remove(idx);
  std::string bytes = ReadFile(pack).value();
  bytes[20] ^= 1;
  { std::ofstream(pack, std::ios::binary | std::ios::trunc) << bytes; }
  EXPECT_EQ(LocalStore::RebuildIndex(tmp.path(), pack_id).code(), Code::kCorrupt);
  EXPECT_FALSE(PathExists(idx));
}

}  // namespace
}  // namespace trail::store
