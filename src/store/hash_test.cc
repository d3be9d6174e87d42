#include "store/hash.h"

#include <gtest/gtest.h>

namespace trail::store {
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

}  // namespace
}  // namespace trail::store
