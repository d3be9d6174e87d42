#include "base/sha256.h"

#include <gtest/gtest.h>

namespace trail {
namespace {

// FIPS 180-2 test vectors.
constexpr char kEmpty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Sha256Test, OneShotVectors) {
  EXPECT_EQ(ToHex(Sha256Of("")), kEmpty);
  EXPECT_EQ(ToHex(Sha256Of("abc")), kAbc);
  EXPECT_EQ(ToHex(Sha256Of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, IncrementalMatchesOneShot) {
  Sha256 h;
  EXPECT_EQ(ToHex(h.Final()), kEmpty);
  h.Update("a");
  h.Update("");
  h.Update("bc");
  EXPECT_EQ(ToHex(h.Final()), kAbc);
  // Final starts over.
  h.Update("abc");
  EXPECT_EQ(ToHex(h.Final()), kAbc);
}

TEST(Sha256Test, IncrementalOverLargeInput) {
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + (i >> 9));
  Sha256 h;
  for (size_t i = 0; i < data.size(); i += 1000) h.Update(std::string_view(data).substr(i, 1000));
  EXPECT_EQ(h.Final(), Sha256Of(data));
}

// Moved from remote/sigv4_test.cc (CryptoTest, for remote's own Sha256Stream): S3 payload hashes
// are streamed through this class now.
TEST(Sha256Test, StreamingHashEqualsOneShot) {
  Sha256 s;
  s.Update("Welcome to ");
  s.Update("Amazon S3.");
  EXPECT_EQ(ToHex(s.Final()), ToHex(Sha256Of("Welcome to Amazon S3.")));
  EXPECT_EQ(ToHex(s.Final()), kEmpty);  // restarts after a finish
}

TEST(HexEncodeTest, LowerCaseTwoCharactersAByte) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x01\x7f\x80\xab\xff", 6)), "00017f80abff");
  Sha256Digest d{};
  d[0] = 0xde;
  d[31] = 0x0f;
  EXPECT_EQ(ToHex(d), "de" + std::string(60, '0') + "0f");
}

}  // namespace
}  // namespace trail
