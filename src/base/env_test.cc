// One suite that every Env must pass: the POSIX Env over a temporary folder and MemEnv.
#include "base/env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "base/mem_env.h"
#include "base/test_temp_dir.h"

namespace trail {
namespace {

using testing::TempDir;

struct EnvCase {
  const char* name;
  bool has_locks;
};

class EnvTest : public ::testing::TestWithParam<EnvCase> {
 protected:
  void SetUp() override {
    if (std::string(GetParam().name) == "mem") {
      mem_ = std::make_unique<MemEnv>();
      env_ = mem_.get();
      root_ = "/root";
      ASSERT_TRUE(env_->MakeDirs(root_).ok());
    } else {
      env_ = Env::Default();
      root_ = dir_.path();
    }
  }
  std::string P(const std::string& name) const { return root_ + "/" + name; }
  Status Write(const std::string& path, std::string_view text, OpenMode mode = OpenMode::kTruncate) {
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, env_->OpenForWrite(path, mode));
    TRAIL_RETURN_IF_ERROR(f->Append(text));
    TRAIL_RETURN_IF_ERROR(f->Sync());
    return f->Close();
  }
  std::vector<std::string> Sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  TempDir dir_;
  std::unique_ptr<MemEnv> mem_;
  Env* env_ = nullptr;
  std::string root_;
};

TEST_P(EnvTest, WriteReadAppendAndModes) {
  ASSERT_TRUE(Write(P("a"), "one").ok());
  EXPECT_EQ(*env_->ReadFile(P("a")), "one");
  ASSERT_TRUE(Write(P("a"), "+two", OpenMode::kAppend).ok());
  EXPECT_EQ(*env_->ReadFile(P("a")), "one+two");
  EXPECT_EQ(*env_->FileSize(P("a")), 7u);
  EXPECT_EQ(env_->OpenForWrite(P("a"), OpenMode::kCreateNew).status().code(), Code::kAlreadyExists);
  EXPECT_EQ(env_->OpenForWrite(P("missing"), OpenMode::kOverwrite).status().code(), Code::kNotFound);
  ASSERT_TRUE(Write(P("a"), "ONE+TWO", OpenMode::kOverwrite).ok());
  EXPECT_EQ(*env_->ReadFile(P("a")), "ONE+TWO");
  ASSERT_TRUE(Write(P("a"), "1", OpenMode::kOverwrite).ok());  // the rest stays
  EXPECT_EQ(*env_->ReadFile(P("a")), "1NE+TWO");
  ASSERT_TRUE(Write(P("a"), "x").ok());
  EXPECT_EQ(*env_->ReadFile(P("a")), "x");
  EXPECT_EQ(env_->ReadFile(P("missing")).status().code(), Code::kNotFound);
  EXPECT_EQ(env_->FileSize(P("missing")).status().code(), Code::kNotFound);
  EXPECT_TRUE(env_->ModifiedTime(P("a")).ok());
}

TEST_P(EnvTest, FoldersRenamesAndRemoves) {
  ASSERT_TRUE(env_->MakeDirs(P("d/e")).ok());
  ASSERT_TRUE(env_->MakeDirs(P("d/e")).ok());  // already there: fine
  EXPECT_TRUE(env_->IsDir(P("d")));
  ASSERT_TRUE(Write(P("d/e/f"), "f").ok());
  ASSERT_TRUE(Write(P("d/g"), "g").ok());
  EXPECT_EQ(Sorted(env_->ListDir(P("d"))), (std::vector<std::string>{"e", "g"}));
  EXPECT_TRUE(env_->ListDir(P("nothing")).empty());
  ASSERT_TRUE(env_->Rename(P("d/g"), P("d/h")).ok());
  EXPECT_FALSE(env_->Exists(P("d/g")));
  EXPECT_EQ(*env_->ReadFile(P("d/h")), "g");
  ASSERT_TRUE(Write(P("d/i"), "i").ok());
  ASSERT_TRUE(env_->Rename(P("d/i"), P("d/h")).ok());  // replaces
  EXPECT_EQ(*env_->ReadFile(P("d/h")), "i");
  ASSERT_TRUE(env_->Rename(P("d"), P("moved")).ok());  // a folder, with what is inside
  EXPECT_EQ(*env_->ReadFile(P("moved/e/f")), "f");
  EXPECT_FALSE(env_->Exists(P("d")));
  EXPECT_EQ(env_->Rename(P("d"), P("x")).code(), Code::kNotFound);
  ASSERT_TRUE(env_->SyncDir(P("moved")).ok());
  ASSERT_TRUE(env_->RemoveFile(P("moved/h")).ok());
  EXPECT_EQ(env_->RemoveFile(P("moved/h")).code(), Code::kNotFound);
  ASSERT_TRUE(env_->RemoveAll(P("moved")).ok());
  EXPECT_FALSE(env_->Exists(P("moved/e/f")));
  EXPECT_FALSE(env_->Exists(P("moved")));
  EXPECT_TRUE(env_->RemoveAll(P("moved")).ok());  // gone already: fine
}

TEST_P(EnvTest, WriteFileAtomicReplacesAndLeavesNoTemp) {
  ASSERT_TRUE(WriteFileAtomic(*env_, P("r"), "old").ok());
  ASSERT_TRUE(WriteFileAtomic(*env_, P("r"), "new", /*sync=*/false).ok());
  EXPECT_EQ(*env_->ReadFile(P("r")), "new");
  EXPECT_EQ(env_->ListDir(root_), std::vector<std::string>{"r"});
}

TEST_P(EnvTest, LocksWhereTheEnvHasThem) {
  auto held = env_->Lock(P("lock"), LockMode::kExclusive);
  if (!GetParam().has_locks) {
    EXPECT_FALSE(held.ok());
    return;
  }
  ASSERT_TRUE(held.ok());
  auto other = env_->TryLock(P("lock"), /*create=*/false);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->held());
  held->Release();
  auto again = env_->TryLock(P("lock"), /*create=*/false);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->held());
  EXPECT_EQ(env_->TryLock(P("no-lock"), /*create=*/false).status().code(), Code::kNotFound);
}

TEST_P(EnvTest, ClockMoves) {
  const double now = env_->NowUnixSeconds();
  EXPECT_GT(now, 1.6e9);
  EXPECT_NEAR(static_cast<double>(env_->NowMicros()) / 1e6, now, 5.0);
}

INSTANTIATE_TEST_SUITE_P(AllEnvs, EnvTest, ::testing::Values(EnvCase{"posix", true}, EnvCase{"mem", false}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(MemEnvTest, TheClockIsTheTestsToMove) {
  MemEnv env(100.0);
  EXPECT_EQ(env.NowUnixSeconds(), 100.0);
  env.AdvanceTime(1.5);
  EXPECT_EQ(env.NowMicros(), 101500000u);
  env.SetTime(7);
  EXPECT_EQ(env.NowUnixSeconds(), 7.0);
}

TEST(EnvDefaultTest, IsOneEnvForTheProgram) { EXPECT_EQ(Env::Default(), Env::Default()); }

}  // namespace
}  // namespace trail
