#include "process/tail_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace trail::process {
namespace {

TEST(TailBufferTest, KeepsEverythingUnderCapacity) {
  TailBuffer tail(8);
  tail.Append("abc", 3);
  tail.Append("de", 2);
  EXPECT_EQ(tail.Contents(), "abcde");
  EXPECT_EQ(tail.total_bytes(), 5u);
}

TEST(TailBufferTest, KeepsLastBytesAcrossWrapAround) {
  TailBuffer tail(8);
  std::string all;
  for (int i = 0; i < 50; ++i) {
    std::string chunk(static_cast<size_t>(i % 5 + 1), static_cast<char>('a' + i % 26));
    tail.Append(chunk.data(), chunk.size());
    all += chunk;
    ASSERT_EQ(tail.Contents(), all.size() <= 8 ? all : all.substr(all.size() - 8)) << i;
  }
  EXPECT_EQ(tail.total_bytes(), all.size());
}

TEST(TailBufferTest, ChunkLargerThanCapacityKeepsItsEnd) {
  TailBuffer tail(4);
  tail.Append("xy", 2);
  tail.Append("0123456789", 10);
  EXPECT_EQ(tail.Contents(), "6789");
  tail.Append("ab", 2);
  EXPECT_EQ(tail.Contents(), "89ab");
  EXPECT_EQ(tail.total_bytes(), 14u);
}

TEST(TailBufferTest, ZeroCapacityCountsOnly) {
  TailBuffer tail(0);
  tail.Append("abc", 3);
  EXPECT_EQ(tail.Contents(), "");
  EXPECT_EQ(tail.total_bytes(), 3u);
}

}  // namespace
}  // namespace trail::process
