#include "base/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/lock_failure.h"
#include "base/test_temp_dir.h"

namespace trail {
namespace {

TEST(TempFilesTest, NamedForTheirTargetAndWriter) {
  const std::string temp = TempPathFor("/w/data/x.bin");
  const std::string prefix = "/w/data/x.bin" + std::string(kTempInfix) + std::to_string(::getpid()) + "-";
  EXPECT_EQ(temp.rfind(prefix, 0), 0u) << temp;
  // ".tmp-" in it: the store gc's rule for stray temp files matches these too.
  EXPECT_NE(temp.find(".tmp-"), std::string::npos);
}

TEST(TempFilesTest, OnlyADeadWritersTempIsDead) {
  EXPECT_FALSE(IsDeadWritersTemp("x.bin" + std::string(kTempInfix) + std::to_string(::getpid()) + "-7"));
  EXPECT_TRUE(IsDeadWritersTemp("x.bin.trail.tmp-999999999-7"));  // past any pid_max
  EXPECT_TRUE(IsDeadWritersTemp("x.bin.trail.tmp-999999999"));
  EXPECT_FALSE(IsDeadWritersTemp("x.bin"));
  EXPECT_FALSE(IsDeadWritersTemp("x.bin.trail.tmp-"));
  EXPECT_FALSE(IsDeadWritersTemp("x.bin.trail.tmp-abc-1"));
  EXPECT_FALSE(IsDeadWritersTemp("x.bin.trail.tmp-0-1"));
  EXPECT_FALSE(IsDeadWritersTemp("x.bin.trail.tmp-1-1"));  // init never dies
}

TEST(TempFilesTest, WriteFileAtomicLeavesOnlyTheTarget) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.File("f"), "x").ok());
  EXPECT_EQ(ListDirectory(dir.path()), std::vector<std::string>{"f"});
}

TEST(FileLockTest, AFileSystemWithoutLocksPointsAtTheSetting) {
  // ENOSYS is what Lustre mounted noflock answers; trail stops rather than going on unlocked.
  for (int err : {ENOSYS, ENOLCK, EOPNOTSUPP}) {
    Status s = LockFailure("/p/.git/trail/lock", err);
    EXPECT_EQ(s.code(), Code::kIo);
    EXPECT_EQ(s.message().rfind("cannot lock /p/.git/trail/lock: ", 0), 0u) << s.message();
    EXPECT_NE(s.message().find("cluster: {locks: node-local}"), std::string::npos) << s.message();
  }
  EXPECT_EQ(LockFailure("/p/lock", EBADF).message().find("node-local"), std::string::npos);
}

}  // namespace
}  // namespace trail
