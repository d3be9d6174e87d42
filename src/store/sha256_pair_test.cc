#include "store/sha256_pair.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "store/test_data.h"

namespace trail::store {
namespace {

// Every test runs twice: with the two-stream kernel (where this CPU has it) and with OpenSSL
// alone, and both must agree with OpenSSL's one-shot SHA-256.
class Sha256PairTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    internal::UseSha256PairKernel(GetParam());
    if (GetParam() && !HasSha256PairKernel()) GTEST_SKIP() << "this CPU has no SHA-NI: only the OpenSSL path runs";
  }
  void TearDown() override { internal::UseSha256PairKernel(true); }
};

TEST_P(Sha256PairTest, StreamMatchesKnownVectors) {
  Sha256Stream s;
  EXPECT_EQ(ToHex(s.Final()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  s.Update("ab");
  s.Update("c");
  EXPECT_EQ(ToHex(s.Final()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Final starts over; 56 bytes is the length whose padding needs a second block.
  s.Update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
  EXPECT_EQ(ToHex(s.Final()), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_P(Sha256PairTest, EveryLengthAroundTheBlockSizes) {
  const std::string data = testing::RandomBytes(600, 1);
  std::vector<std::string_view> pieces;
  for (size_t n = 0; n <= data.size(); ++n) pieces.push_back(std::string_view(data).substr(0, n));
  std::vector<Sha256Digest> ids(pieces.size());
  HashWithStream(nullptr, {}, pieces, ids.data());
  for (size_t n = 0; n < pieces.size(); ++n) ASSERT_EQ(ids[n], Sha256Of(pieces[n])) << "length " << n;
  for (size_t n = 0; n <= data.size(); n += 7) {
    Sha256Stream s;
    s.Update(std::string_view(data).substr(0, n));
    ASSERT_EQ(s.Final(), Sha256Of(std::string_view(data).substr(0, n))) << "stream length " << n;
  }
}

// What trail add does: each call feeds a window of the file to the stream and hashes the chunks
// that ended in it, which cover about the same bytes. Random window and chunk sizes, so the two
// lanes finish their messages at every possible offset of each other.
TEST_P(Sha256PairTest, StreamAndPiecesInRandomSplits) {
  const std::string data = testing::RandomBytes(3 << 20, 2);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    Sha256Stream whole;
    size_t fed = 0;
    std::vector<std::string_view> pieces;
    std::vector<Sha256Digest> ids;
    while (fed < data.size()) {
      const size_t window = std::min<size_t>(data.size() - fed, rng() % (600 << 10));
      pieces.clear();
      for (size_t at = fed; at < fed + window;) {
        const size_t len = std::min<size_t>(fed + window - at, rng() % 4 == 0 ? rng() % 130 : rng() % (200 << 10));
        pieces.push_back(std::string_view(data).substr(at, len));
        at += len;
      }
      ids.assign(pieces.size(), Sha256Digest{});
      HashWithStream(&whole, std::string_view(data).substr(fed, window), pieces, ids.data());
      for (size_t i = 0; i < pieces.size(); ++i) ASSERT_EQ(ids[i], Sha256Of(pieces[i])) << "round " << round;
      fed += window;
    }
    ASSERT_EQ(whole.Final(), Sha256Of(data)) << "round " << round;
  }
}

TEST_P(Sha256PairTest, PiecesWithoutAStreamAndAStreamWithoutPieces) {
  const std::string data = testing::RandomBytes(1 << 20, 3);
  const std::vector<std::string_view> pieces = {std::string_view(data).substr(0, 1000),
                                                {},
                                                std::string_view(data).substr(5, 700000),
                                                std::string_view(data).substr(64, 64)};
  std::vector<Sha256Digest> ids(pieces.size());
  HashWithStream(nullptr, {}, pieces, ids.data());
  for (size_t i = 0; i < pieces.size(); ++i) EXPECT_EQ(ids[i], Sha256Of(pieces[i])) << i;
  Sha256Stream s;
  HashWithStream(&s, std::string_view(data).substr(0, 100), {}, nullptr);
  HashWithStream(&s, std::string_view(data).substr(100), {}, nullptr);
  EXPECT_EQ(s.Final(), Sha256Of(data));
}

INSTANTIATE_TEST_SUITE_P(KernelAndOpenSsl, Sha256PairTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "Kernel" : "OpenSsl"; });

}  // namespace
}  // namespace trail::store
