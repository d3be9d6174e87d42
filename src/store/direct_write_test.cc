#include "store/direct_write.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "base/files.h"
#include "base/test_temp_dir.h"
#include "store/aligned_buffer.h"
#include "store/test_data.h"

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
  trail::testing::TempDir tmp;
  AlignedBuffer b;
  b.Append(testing::RandomBytes(3 * 4096 + 1234, 7));
  EXPECT_EQ(WriteThrough(tmp.path() + "/pack", {b.view()}), b.view());
}

// Unaligned input of odd sizes goes through the bounce buffer; after an aligned piece with a
// tail, further pieces must continue at the right offset.
TEST(DirectWriterTest, MixedAlignedAndUnalignedPiecesKeepTheirOrder) {
  trail::testing::TempDir tmp;
  AlignedBuffer aligned;
  aligned.Append(testing::RandomBytes(8192 + 100, 1));
  const std::string odd = testing::RandomBytes(5000, 2);
  const std::string big = testing::RandomBytes(3 << 20, 3);
  const std::string_view unaligned = std::string_view(big).substr(1);
  const std::string got = WriteThrough(tmp.path() + "/f", {aligned.view(), odd, unaligned, aligned.view()});
  EXPECT_EQ(got, std::string(aligned.view()) + odd + std::string(unaligned) + std::string(aligned.view()));
}

// Over two bounce buffers' worth of unaligned pieces (a restore), with an aligned one among
// them: full buffers are written in the background while the other fills, one write at a time,
// so the file must still hold every byte in order.
TEST(DirectWriterTest, BackgroundBounceWritesKeepTheOrder) {
  trail::testing::TempDir tmp;
  const std::string data = testing::RandomBytes(100 << 20, 4);
  std::vector<std::string_view> pieces;
  for (size_t at = 1, n = 777; at < data.size(); at += n, n = n * 3 % 5000000 + 4099)
    pieces.push_back(std::string_view(data).substr(at, std::min(n, data.size() - at)));
  AlignedBuffer aligned;
  aligned.Append(testing::RandomBytes(3 * 4096, 5));
  pieces.insert(pieces.begin() + static_cast<long>(pieces.size() / 2), aligned.view());
  std::string want;
  for (std::string_view p : pieces) want += p;
  EXPECT_TRUE(WriteThrough(tmp.path() + "/f", pieces) == want);
}

TEST(DirectWriterTest, EmptyAndTinyWrites) {
  trail::testing::TempDir tmp;
  EXPECT_EQ(WriteThrough(tmp.path() + "/empty", {}), "");
  EXPECT_EQ(WriteThrough(tmp.path() + "/tiny", {"a", "", "bc"}), "abc");
}

}  // namespace
}  // namespace trail::store
