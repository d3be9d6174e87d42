#include "store/direct_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "store/aligned_buffer.h"
#include "store/test_data.h"
#include "store/test_temp_dir.h"
#include "util/files.h"

namespace trail::store {
namespace {

// Writes `pieces` through one DirectWriter and returns what the file then holds.
std::string WriteThrough(const std::string& path, const std::vector<std::string_view>& pieces) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  EXPECT_GE(fd, 0);
  {
    DirectWriter w(fd, path);
    for (std::string_view p : pieces) EXPECT_TRUE(w.Append(p).ok());
    EXPECT_TRUE(w.Finish().ok());
  }
  ::close(fd);
  return ReadFile(path).value();
}

// A pack-like buffer: aligned, not a whole number of blocks long. It is written from where it
// is, its last partial block buffered; the file must hold exactly its bytes.
TEST(DirectWriterTest, AlignedBufferIsWrittenExactly) {
  testing::TempDir tmp;
  AlignedBuffer b;
  b.Append(testing::RandomBytes(3 * 4096 + 1234, 7));
  EXPECT_EQ(WriteThrough(tmp.path() + "/pack", {b.view()}), b.view());
}

// Unaligned input of odd sizes goes through the bounce buffer; after an aligned piece with a
// tail, further pieces must continue at the right offset.
TEST(DirectWriterTest, MixedAlignedAndUnalignedPiecesKeepTheirOrder) {
  testing::TempDir tmp;
  AlignedBuffer aligned;
  aligned.Append(testing::RandomBytes(8192 + 100, 1));
  const std::string odd = testing::RandomBytes(5000, 2);
  const std::string big = testing::RandomBytes(3 << 20, 3);
  const std::string_view unaligned = std::string_view(big).substr(1);
  const std::string got = WriteThrough(tmp.path() + "/f", {aligned.view(), odd, unaligned, aligned.view()});
  EXPECT_EQ(got, std::string(aligned.view()) + odd + std::string(unaligned) + std::string(aligned.view()));
}

TEST(DirectWriterTest, EmptyAndTinyWrites) {
  testing::TempDir tmp;
  EXPECT_EQ(WriteThrough(tmp.path() + "/empty", {}), "");
  EXPECT_EQ(WriteThrough(tmp.path() + "/tiny", {"a", "", "bc"}), "abc");
}

}  // namespace
}  // namespace trail::store
