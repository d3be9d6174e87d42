#include "base/errors.h"

#include <errno.h>
#include <gtest/gtest.h>

#include <cstring>

namespace trail {
namespace {

TEST(ErrnoMessageTest, SameTextAsStrerror) {
  for (int err : {ENOENT, EACCES, ENOSPC, EEXIST, EPIPE, 0, 9999}) {
    // Copied first: strerror's text for an unknown code lives in a buffer the next call frees.
    const std::string expected = std::strerror(err);
    EXPECT_EQ(ErrnoMessage(err), expected);
  }
}

TEST(ErrnoErrorTest, NamesWhatAndReadsErrno) {
  errno = ENOENT;
  Status s = ErrnoError("cannot create pipe");
  EXPECT_EQ(s.code(), Code::kIo);
  EXPECT_EQ(s.message(), "cannot create pipe: No such file or directory");
}

TEST(ErrnoErrorTest, NamesThePath) {
  errno = ENOSPC;
  Status s = ErrnoError("cannot write", "/x/y");
  EXPECT_EQ(s.code(), Code::kIo);
  EXPECT_EQ(s.message(), "cannot write /x/y: No space left on device");
}

}  // namespace
}  // namespace trail
