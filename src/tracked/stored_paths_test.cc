#include "tracked/stored_paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/files.h"
#include "base/test_temp_dir.h"

namespace trail {
namespace {

using testing::TempDir;

class RestorePointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::LocalStore::OpenForWriting(store_dir_.path());
    ASSERT_TRUE(st.ok()) << st.status().message();
    store_ = std::move(*st);
    ASSERT_TRUE(MakeDirs(src_.File("ds/sub")).ok());
    ASSERT_TRUE(WriteFileAtomic(src_.File("ds/top.txt"), "top").ok());
    ASSERT_TRUE(WriteFileAtomic(src_.File("ds/sub/a.txt"), "a").ok());
    auto p = StorePath(*store_, src_.File("ds"));
    ASSERT_TRUE(p.ok()) << p.status().message();
    folder_ = *p;
    ASSERT_TRUE(store_->Flush().ok());
  }

  TempDir store_dir_, src_, root_, elsewhere_;
  std::unique_ptr<store::LocalStore> store_;
  Pointer folder_;
};

TEST_F(RestorePointerTest, RestoresAFolderBelowItsRoot) {
  ASSERT_TRUE(RestorePointer(*store_, folder_, root_.path(), "out/ds").ok());
  EXPECT_EQ(*ReadFile(root_.File("out/ds/sub/a.txt")), "a");
}

// Issue 13 (2): a link inside the restored folder must not redirect the write.
TEST_F(RestorePointerTest, RefusesALinkInsideTheFolderBeforeWritingAnything) {
  ASSERT_TRUE(MakeDirs(root_.File("ds")).ok());
  ASSERT_EQ(::symlink(elsewhere_.path().c_str(), root_.File("ds/sub").c_str()), 0);
  EXPECT_EQ(CheckRestorable(*store_, folder_, root_.path(), "ds").code(), Code::kFailedPrecondition);
  Status s = RestorePointer(*store_, folder_, root_.path(), "ds");
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find(root_.File("ds/sub")), std::string::npos) << s.message();
  EXPECT_TRUE(std::filesystem::is_empty(elsewhere_.path()));
  EXPECT_FALSE(PathExists(root_.File("ds/top.txt")));  // refused whole, not file by file
}

TEST_F(RestorePointerTest, RefusesUnsafeRelativePaths) {
  for (const char* rel : {"../x", "/abs", "a/../../x", ""})
    EXPECT_EQ(RestorePointer(*store_, folder_, root_.path(), rel).code(), Code::kInvalidArgument) << rel;
}

TEST_F(RestorePointerTest, AFileIsNotWrittenThroughALinkNamedLikeIt) {
  auto p = StorePath(*store_, src_.File("ds/top.txt"));
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_EQ(::symlink(elsewhere_.File("victim").c_str(), root_.File("model.bin").c_str()), 0);
  EXPECT_EQ(RestorePointer(*store_, *p, root_.path(), "model.bin").code(), Code::kFailedPrecondition);
  EXPECT_FALSE(PathExists(elsewhere_.File("victim")));
}

}  // namespace
}  // namespace trail
