#include "store/aligned_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "store/test_data.h"

namespace trail::store {
namespace {

bool Aligned(const char* p) { return reinterpret_cast<uintptr_t>(p) % AlignedBuffer::kAlignment == 0; }

TEST(AlignedBufferTest, AppendsAndStaysAlignedAcrossGrowth) {
  AlignedBuffer b(10);
  EXPECT_TRUE(b.empty());
  const std::string one = testing::RandomBytes(3000, 1);
  const std::string two = testing::RandomBytes(200000, 2);  // forces a reallocation
  b.Append(one);
  ASSERT_TRUE(Aligned(b.data()));
  b.Append(two);
  EXPECT_TRUE(Aligned(b.data()));
  EXPECT_EQ(b.size(), one.size() + two.size());
  EXPECT_EQ(b.view(), one + two);
  b[0] = static_cast<char>(b[0] ^ 1);
  EXPECT_NE(b.view().substr(0, 1), one.substr(0, 1));
}

TEST(AlignedBufferTest, ClearKeepsMemoryForReuse) {
  AlignedBuffer b(1 << 20);
  b.Append("abc");
  const char* before = b.data();
  b.Clear();
  EXPECT_TRUE(b.empty());
  b.Reserve(1000);  // within capacity: the same memory
  b.Append("xy");
  EXPECT_EQ(b.data(), before);
  EXPECT_EQ(b.view(), "xy");
}

TEST(AlignedBufferTest, MoveLeavesTheSourceEmpty) {
  AlignedBuffer a;
  a.Append("payload");
  AlignedBuffer b = std::move(a);
  EXPECT_EQ(b.view(), "payload");
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from state is specified
  a.Append("again");        // and usable
  EXPECT_EQ(a.view(), "again");
  b.Release();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.data(), nullptr);
}

}  // namespace
}  // namespace trail::store
