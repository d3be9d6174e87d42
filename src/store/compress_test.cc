#include "store/compress.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "store/test_data.h"

namespace trail::store {
namespace {

std::string Text(size_t n) {
  static constexpr char kLine[] = "epoch,step,loss,accuracy\n12,4096,0.2731,0.9120\n";
  std::string s;
  while (s.size() < n) s += kLine + std::to_string(s.size() % 977) + "\n";
  s.resize(n);
  return s;
}

TEST(CompressTest, RoundTrip) {
  for (const std::string& data : {std::string(), std::string("x"), Text(300'000), testing::RandomBytes(100'000, 1)}) {
    auto frame = Compress(data);
    ASSERT_TRUE(frame.ok()) << frame.status().message();
    auto back = Decompress(*frame, data.size());
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(*back, data);
  }
}

TEST(CompressTest, RandomIsNotWorthIt) {
  EXPECT_FALSE(WorthCompressing(testing::RandomBytes(1 << 20, 2)));
  EXPECT_FALSE(WorthCompressing(testing::RandomBytes(1000, 3)));
  EXPECT_FALSE(WorthCompressing(""));
}

TEST(CompressTest, Float32WeightsAreNotWorthIt) {
  // Trained weights look like this: normally distributed, full-precision mantissas.
  std::mt19937 gen(7);
  std::normal_distribution<float> dist(0.0f, 0.02f);
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); i += 4) {
    const float f = dist(gen);
    std::memcpy(&data[i], &f, 4);
  }
  EXPECT_FALSE(WorthCompressing(data));
}

TEST(CompressTest, ZerosAndTextAreWorthIt) {
  EXPECT_TRUE(WorthCompressing(std::string(1 << 20, '\0')));
  EXPECT_TRUE(WorthCompressing(Text(1 << 20)));
  EXPECT_TRUE(WorthCompressing(Text(2000)));
}

TEST(CompressTest, CorruptFramesAreCorrupt) {
  const std::string data = Text(100'000);
  auto frame = Compress(data);
  ASSERT_TRUE(frame.ok());

  auto wrong_size = Decompress(*frame, data.size() + 1);
  EXPECT_EQ(wrong_size.status().code(), Code::kCorrupt);

  EXPECT_EQ(Decompress("not zstd at all", 10).status().code(), Code::kCorrupt);
  EXPECT_EQ(Decompress("", 10).status().code(), Code::kCorrupt);

  std::string truncated = frame->substr(0, frame->size() / 2);
  EXPECT_EQ(Decompress(truncated, data.size()).status().code(), Code::kCorrupt);

  // Flipped bytes in the body: zstd either rejects the frame or decodes garbage of the right
  // size; it must never crash. The content checksum is the store's job (the chunk id).
  for (size_t pos = 20; pos < frame->size(); pos += frame->size() / 37 + 1) {
    std::string bad = *frame;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x5a);
    auto r = Decompress(bad, data.size());
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kCorrupt);
    }
  }
}

}  // namespace
}  // namespace trail::store
