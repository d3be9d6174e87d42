#include "store/pack.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/compress.h"
#include "store/test_data.h"

namespace trail::store {
namespace {

std::string PackText(size_t n) {
  std::string s;
  while (s.size() < n) s += "step,loss,accuracy\n" + std::to_string(s.size()) + ",0.25,0.9\n";
  s.resize(n);
  return s;
}

TEST(PackTest, RoundTripCompressibleAndIncompressible) {
  const std::string text = PackText(200000);
  const std::string noise = testing::RandomBytes(150000, 7);
  const std::string empty;
  PackWriter w;
  ASSERT_TRUE(w.Add(Sha256Of(text), BlobType::kChunk, text).ok());
  ASSERT_TRUE(w.Add(Sha256Of(noise), BlobType::kChunk, noise).ok());
  ASSERT_TRUE(w.Add(Sha256Of(empty), BlobType::kTree, empty).ok());
  EXPECT_FALSE(w.Full());
  auto pack = w.Finish();
  ASSERT_TRUE(pack.ok()) << pack.status().message();
  EXPECT_TRUE(w.empty());

  EXPECT_EQ(pack->bytes.view().substr(0, 8), "TRLPACK1");
  EXPECT_EQ(pack->bytes.view().substr(pack->bytes.size() - 8), "TRLPIDX1");
  EXPECT_EQ(pack->id, ToHex(Sha256Of(pack->IndexTail())));
  ASSERT_EQ(pack->entries.size(), 3u);
  EXPECT_TRUE(pack->entries[0].zstd);
  EXPECT_LT(pack->entries[0].stored, text.size() / 2);
  EXPECT_FALSE(pack->entries[1].zstd);
  EXPECT_EQ(pack->entries[1].stored, noise.size());
  EXPECT_EQ(pack->entries[2].type, BlobType::kTree);

  // The index parses the same from the whole pack and from the .idx tail.
  auto from_pack = VerifyPack(pack->bytes, pack->id);
  ASSERT_TRUE(from_pack.ok()) << from_pack.status().message();
  EXPECT_EQ(*from_pack, pack->entries);
  auto from_tail = ParsePackIndex(pack->IndexTail(), pack->id);
  ASSERT_TRUE(from_tail.ok()) << from_tail.status().message();
  EXPECT_EQ(*from_tail, pack->entries);

  EXPECT_EQ(*ReadBlob(pack->bytes, pack->entries[0], pack->id), text);
  EXPECT_EQ(*ReadBlob(pack->bytes, pack->entries[1], pack->id), noise);
  EXPECT_EQ(*ReadBlob(pack->bytes, pack->entries[2], pack->id), empty);
}

TEST(PackTest, FullAtTarget) {
  PackWriter w(100000);
  const std::string noise = testing::RandomBytes(60000, 1);
  ASSERT_TRUE(w.Add(Sha256Of(noise), BlobType::kChunk, noise).ok());
  EXPECT_FALSE(w.Full());
  const std::string more = testing::RandomBytes(60000, 2);
  ASSERT_TRUE(w.Add(Sha256Of(more), BlobType::kChunk, more).ok());
  EXPECT_TRUE(w.Full());
}

TEST(PackTest, EmptyPackIsValid) {
  PackWriter w;
  auto pack = w.Finish();
  ASSERT_TRUE(pack.ok());
  auto entries = VerifyPack(pack->bytes, pack->id);
  ASSERT_TRUE(entries.ok()) << entries.status().message();
  EXPECT_TRUE(entries->empty());
}

FinishedPack SmallPack() {
  PackWriter w;
  const std::string a = PackText(3000), b = testing::RandomBytes(500, 3);
  EXPECT_TRUE(w.Add(Sha256Of(a), BlobType::kChunk, a).ok());
  EXPECT_TRUE(w.Add(Sha256Of(b), BlobType::kFile, b).ok());
  return std::move(w.Finish()).value();
}

TEST(PackTest, EveryTruncationIsCorrupt) {
  const FinishedPack pack = SmallPack();
  for (size_t n = 0; n < pack.bytes.size(); ++n) {
    const std::string_view cut = std::string_view(pack.bytes).substr(0, n);
    auto parsed = ParsePack(cut, pack.id);
    ASSERT_FALSE(parsed.ok()) << n;
    EXPECT_EQ(parsed.status().code(), Code::kCorrupt) << n;
    EXPECT_NE(parsed.status().message().find("pack " + pack.id), std::string::npos);
    // Reading the blobs with the good index out of the cut pack must not crash either.
    for (const PackEntry& e : pack.entries) {
      auto blob = ReadBlob(cut, e, pack.id);
      if (e.offset + e.stored > n) {
        EXPECT_EQ(blob.status().code(), Code::kCorrupt);
      }
    }
  }
  // Every cut of the .idx tail too.
  const std::string_view tail = pack.IndexTail();
  for (size_t n = 0; n < tail.size(); ++n) {
    auto parsed = ParsePackIndex(tail.substr(0, n), pack.id);
    ASSERT_FALSE(parsed.ok()) << n;
    EXPECT_EQ(parsed.status().code(), Code::kCorrupt) << n;
  }
}

TEST(PackTest, EveryFlippedByteIsCorruptOrHarmless) {
  // A flipped byte anywhere must give Corrupt, or be harmless: every blob still decodes to
  // exactly its content (a zstd frame header bit that does not change the output). Never a crash.
  const FinishedPack pack = SmallPack();
  for (size_t i = 0; i < pack.bytes.size(); ++i) {
    std::string bad(pack.bytes.view());
    bad[i] ^= 0x20;
    auto v = VerifyPack(bad, pack.id);
    if (v.ok()) {
      for (const PackEntry& e : *v)
        EXPECT_EQ(ReadBlob(bad, e, pack.id).value(), ReadBlob(pack.bytes, e, pack.id).value()) << i;
      continue;
    }
    EXPECT_EQ(v.status().code(), Code::kCorrupt);
    auto entries = ParsePack(bad, pack.id);
    if (!entries.ok()) continue;
    for (const PackEntry& e : *entries) (void)ReadBlob(bad, e, pack.id);
  }
}

TEST(PackTest, FlippedByteInChunkNamesPackAndOffset) {
  const std::string noise = testing::RandomBytes(4000, 9);
  PackWriter w;
  ASSERT_TRUE(w.Add(Sha256Of(noise), BlobType::kChunk, noise).ok());
  FinishedPack pack = std::move(w.Finish()).value();
  pack.bytes[pack.entries[0].offset + 100] ^= 1;
  auto blob = ReadBlob(pack.bytes, pack.entries[0], pack.id);
  ASSERT_FALSE(blob.ok());
  EXPECT_EQ(blob.status().code(), Code::kCorrupt);
  EXPECT_NE(blob.status().message().find("pack " + pack.id + ": offset 8:"), std::string::npos)
      << blob.status().message();

  // The same for a compressed blob: zstd or the hash catches it.
  const std::string text = PackText(50000);
  ASSERT_TRUE(w.Add(Sha256Of(text), BlobType::kChunk, text).ok());
  FinishedPack packed = std::move(w.Finish()).value();
  ASSERT_TRUE(packed.entries[0].zstd);
  packed.bytes[packed.entries[0].offset + packed.entries[0].stored / 2] ^= 1;
  auto blob2 = ReadBlob(packed.bytes, packed.entries[0], packed.id);
  ASSERT_FALSE(blob2.ok());
  EXPECT_EQ(blob2.status().code(), Code::kCorrupt);
  EXPECT_NE(blob2.status().message().find("pack " + packed.id), std::string::npos);
}

TEST(PackTest, BadIndexJsonIsCorrupt) {
  const std::string id(64, 'a');
  const std::string good_tail = "\"offset\":8,\"stored\":5,\"raw\":5,\"zstd\":false}";
  const std::vector<std::string> bad_lines = {
      "not json\n",
      "{\"id\":\"zz\"}\n",
      "{}\n",
      "[1]\n",
      "{\"id\":\"" + id + "\",\"type\":\"chunk\",\"offset\":8,\"stored\":5,\"raw\":6,\"zstd\":false}\n",
      "{\"id\":\"" + id + "\",\"type\":\"blob\"," + good_tail + "\n",
      "{\"id\":\"" + id + "\",\"type\":\"chunk\",\"offset\":-8,\"stored\":5,\"raw\":5,\"zstd\":false}\n",
      "{\"id\":\"" + id + "\",\"type\":\"chunk\",\"offset\":8,\"stored\":5,\"raw\":99999999999,\"zstd\":true}\n",
      "{\"id\":\"" + id + "\",\"type\":\"chunk\"," + good_tail,  // no newline
  };
  for (const std::string& lines : bad_lines) {
    const std::string frame = Compress(lines).value();
    std::string pack = "TRLPACK1" + frame;
    const uint32_t n = static_cast<uint32_t>(frame.size());
    for (int i = 0; i < 4; ++i) pack.push_back(static_cast<char>(n >> (8 * i)));
    pack += "TRLPIDX1";
    auto parsed = ParsePack(pack, "p1");
    ASSERT_FALSE(parsed.ok()) << lines;
    EXPECT_EQ(parsed.status().code(), Code::kCorrupt);
    EXPECT_EQ(parsed.status().message().rfind("pack p1: offset 8: index", 0), 0u) << parsed.status().message();
  }
  // A good line whose blob would overlap the index.
  const std::string frame = Compress("{\"id\":\"" + id + "\",\"type\":\"chunk\"," + good_tail + "\n").value();
  std::string pack = "TRLPACK1" + frame;
  const uint32_t n = static_cast<uint32_t>(frame.size());
  for (int i = 0; i < 4; ++i) pack.push_back(static_cast<char>(n >> (8 * i)));
  pack += "TRLPIDX1";
  EXPECT_TRUE(ParsePackIndex(pack, "p1").ok());
  EXPECT_EQ(ParsePack(pack, "p1").status().code(), Code::kCorrupt);
}

TEST(PackTest, HexIds) {
  const Sha256Digest d = Sha256Of("abc");
  EXPECT_EQ(ParseHexId(ToHex(d)), d);
  EXPECT_FALSE(ParseHexId("abc"));
  EXPECT_FALSE(ParseHexId(std::string(64, 'g')));
}

}  // namespace
}  // namespace trail::store
