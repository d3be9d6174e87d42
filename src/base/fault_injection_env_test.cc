#include "base/fault_injection_env.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/test_temp_dir.h"

namespace trail {
namespace {

using testing::TempDir;

class FaultInjectionEnvTest : public ::testing::Test {
 protected:
  std::string P(const std::string& name) const { return dir_.File(name); }
  std::string Disk(const std::string& name) { return Env::Default()->ReadFile(P(name)).value_or("<absent>"); }
  Status Write(Env& env, const std::string& name, std::string_view text, bool sync,
               OpenMode mode = OpenMode::kTruncate) {
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env.OpenForWrite(P(name), mode));
    TRAIL_RETURN_IF_ERROR(f->Append(text));
    if (sync) TRAIL_RETURN_IF_ERROR(f->Sync());
    return f->Close();
  }

  TempDir dir_;
  FaultInjectionEnv env_{Env::Default()};
};

TEST_F(FaultInjectionEnvTest, DropKeepsSyncedBytesOfDurableNames) {
  ASSERT_TRUE(Write(*Env::Default(), "old", "before", true).ok());  // there before: durable
  ASSERT_TRUE(Write(env_, "old", "+synced", true, OpenMode::kAppend).ok());
  ASSERT_TRUE(Write(env_, "old", "+lost", false, OpenMode::kAppend).ok());
  ASSERT_TRUE(Write(env_, "new", "synced but its name is not", true).ok());
  EXPECT_EQ(Disk("old"), "before+synced+lost");
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Disk("old"), "before+synced");
  EXPECT_EQ(Disk("new"), "<absent>");
}

TEST_F(FaultInjectionEnvTest, SyncDirMakesNamesDurable) {
  ASSERT_TRUE(Write(env_, "a", "a1", true).ok());
  ASSERT_TRUE(Write(env_, "b", "b-unsynced", false).ok());
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(env_.RemoveFile(P("a")).ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Disk("a"), "a1");  // the remove was not durable
  EXPECT_EQ(Disk("b"), "");    // the name was, the bytes were not
}

TEST_F(FaultInjectionEnvTest, UnsyncedFolderTakesItsFilesAlong) {
  ASSERT_TRUE(env_.MakeDirs(P("d/e")).ok());
  ASSERT_TRUE(Write(env_, "d/e/f", "f", true).ok());
  ASSERT_TRUE(env_.SyncDir(P("d/e")).ok());
  ASSERT_TRUE(env_.SyncDir(P("d")).ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());  // d itself was never made durable in the root
  EXPECT_FALSE(Env::Default()->Exists(P("d")));
}

TEST_F(FaultInjectionEnvTest, FolderRenameIsUndoneUntilItsParentIsSynced) {
  ASSERT_TRUE(Env::Default()->MakeDirs(P("stage")).ok());
  ASSERT_TRUE(Write(env_, "stage/x", "x", true).ok());
  ASSERT_TRUE(env_.SyncDir(P("stage")).ok());
  ASSERT_TRUE(env_.Rename(P("stage"), P("final")).ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Disk("stage/x"), "x");
  EXPECT_FALSE(Env::Default()->Exists(P("final")));

  ASSERT_TRUE(env_.Rename(P("stage"), P("final")).ok());
  ASSERT_TRUE(env_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Disk("final/x"), "x");
  EXPECT_FALSE(Env::Default()->Exists(P("stage")));
}

TEST_F(FaultInjectionEnvTest, FailAfterStopsEverythingAndCounts) {
  ASSERT_TRUE(Write(env_, "a", "a", true).ok());  // open, append, sync, close
  EXPECT_EQ(env_.calls(), 4u);
  env_.FailAfter(5);
  auto f = env_.OpenForWrite(P("b"), OpenMode::kTruncate);  // call 5 goes through
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE((*f)->Append("b").ok());
  EXPECT_FALSE(env_.Rename(P("a"), P("c")).ok());
  EXPECT_EQ(Disk("a"), "a");
  EXPECT_EQ(Disk("b"), "");
  EXPECT_EQ(env_.calls(), 7u);
  env_.ClearFailures();
  EXPECT_TRUE(env_.Rename(P("a"), P("c")).ok());
}

TEST_F(FaultInjectionEnvTest, FailMatchingFailsChosenCallsWithTheirError) {
  env_.FailMatching([](const FaultInjectionEnv::Call& c) { return c.op == "append"; }, ENOSPC);
  Status s = Write(env_, "a", "a", true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kIo);
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.message();
  EXPECT_TRUE(env_.MakeDirs(P("d")).ok());
}

TEST_F(FaultInjectionEnvTest, TheClockCanBeFixed) {
  env_.SetTime(1234.5);
  EXPECT_EQ(env_.NowUnixSeconds(), 1234.5);
  EXPECT_EQ(env_.NowMicros(), 1234500000u);
}

// The rule of WriteFileAtomic, checked the hard way: whatever call the writer dies at, and
// then the power goes, the file holds the old content or the new, never a mix or nothing.
TEST_F(FaultInjectionEnvTest, WriteFileAtomicIsOldOrNewAfterADeathAtEveryStep) {
  ASSERT_TRUE(WriteFileAtomic(*Env::Default(), P("f"), "old content").ok());
  ASSERT_TRUE(Env::Default()->SyncDir(dir_.path()).ok());
  uint64_t clean_calls = 0;
  {
    FaultInjectionEnv clean(Env::Default());
    ASSERT_TRUE(WriteFileAtomic(clean, P("probe"), "x").ok());
    clean_calls = clean.calls();
    ASSERT_TRUE(Env::Default()->RemoveFile(P("probe")).ok());
  }
  ASSERT_GE(clean_calls, 6u);  // open, append, sync, close, rename, sync_dir
  for (uint64_t n = 0; n <= clean_calls; ++n) {
    FaultInjectionEnv env(Env::Default());
    env.FailAfter(n);
    Status s = WriteFileAtomic(env, P("f"), "new content");
    EXPECT_EQ(s.ok(), n == clean_calls) << n;
    ASSERT_TRUE(env.DropUnsyncedData().ok());
    const std::string after = Disk("f");
    EXPECT_TRUE(after == "old content" || after == "new content") << "death after call " << n << ": " << after;
    if (s.ok()) {
      EXPECT_EQ(after, "new content");
    }
    // No temp left visible beside it once a later writer cleans up; none at all when it worked.
    if (n == clean_calls) {
      EXPECT_EQ(Env::Default()->ListDir(dir_.path()), std::vector<std::string>{"f"});
    }
    ASSERT_TRUE(WriteFileAtomic(*Env::Default(), P("f"), "old content").ok());
    for (const std::string& name : Env::Default()->ListDir(dir_.path())) {
      if (name != "f") {
        ASSERT_TRUE(Env::Default()->RemoveFile(P(name)).ok());
      }
    }
  }
}

}  // namespace
}  // namespace trail
