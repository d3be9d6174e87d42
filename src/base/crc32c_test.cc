#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "base/test_crc32c.h"

namespace trail {
namespace {

using testing::ReferenceCrc32c;

TEST(Crc32cTest, StandardCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(internal::Crc32cPortable(0, "123456789", 9), 0xE3069283u);
  if (auto hw = internal::Crc32cHardware(0, "123456789", 9)) {
    EXPECT_EQ(*hw, 0xE3069283u);
  }
  EXPECT_EQ(ReferenceCrc32c("123456789"), 0xE3069283u);
}

TEST(Crc32cTest, EmptyInputIsZero) { EXPECT_EQ(Crc32c(""), 0u); }

TEST(Crc32cTest, KnownVectors) {
  // From RFC 3720 (iSCSI), appendix B.4.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32cTest, ImplementationsAgreeOnEveryLengthAndAlignment) {
  std::mt19937 rng(42);
  std::string data(300, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  const bool have_hw = internal::Crc32cHardware(0, "", 0).has_value();
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t len = 0; len + offset <= data.size(); len += (len < 40 ? 1 : 37)) {
      std::string_view piece(data.data() + offset, len);
      const uint32_t want = ReferenceCrc32c(piece);
      ASSERT_EQ(internal::Crc32cPortable(0, piece.data(), len), want) << offset << "+" << len;
      if (have_hw) {
        ASSERT_EQ(*internal::Crc32cHardware(0, piece.data(), len), want) << offset << "+" << len;
      }
      ASSERT_EQ(Crc32c(piece), want);
    }
  }
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  const std::string text = "the quick brown fox jumps over the lazy dog, twice over";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    uint32_t crc = Crc32cExtend(0, text.data(), cut);
    crc = Crc32cExtend(crc, text.data() + cut, text.size() - cut);
    ASSERT_EQ(crc, Crc32c(text)) << cut;
    uint32_t portable = internal::Crc32cPortable(0, text.data(), cut);
    ASSERT_EQ(internal::Crc32cPortable(portable, text.data() + cut, text.size() - cut), Crc32c(text));
  }
}

TEST(Crc32cTest, MaskRoundTrips) {
  for (uint32_t crc : {0u, 1u, 0xE3069283u, 0xffffffffu, 0x80000000u}) {
    EXPECT_EQ(UnmaskCrc(MaskCrc(crc)), crc);
    EXPECT_EQ(MaskCrc(crc), testing::ReferenceMask(crc));
  }
  EXPECT_NE(MaskCrc(0xE3069283u), 0xE3069283u);
}

TEST(Crc32cTest, MatchesTheHeaderOfRealEventFiles) {
  // Every file TensorFlow writes starts with a 24-byte file_version record, whose header is
  // 18 00 00 00 00 00 00 00 a3 7f 4b 22 in hex dumps of real files.
  const char length[8] = {0x18, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(MaskCrc(Crc32c(std::string_view(length, 8))), 0x224b7fa3u);
}

}  // namespace
}  // namespace trail
