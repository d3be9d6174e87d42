#include "remote/folder_backend.h"

#include <sys/time.h>

#include <ctime>
#include <memory>

#include "base/files.h"
#include "base/test_temp_dir.h"
#include "remote/backend_suite.h"
#include "remote/local_file.h"

namespace trail::remote::testing {
namespace {

using trail::testing::TempDir;

BackendUnderTest MakeFolder() {
  auto dir = std::make_shared<TempDir>();
  // A root below the temp dir: the backend must create it on the first Save.
  return {dir, std::make_unique<FolderBackend>(dir->File("store"))};
}

INSTANTIATE_TEST_SUITE_P(Folder, BackendSuite, ::testing::Values(BackendCase{"Folder", MakeFolder}), BackendCaseName);

TEST(FolderBackendTest, ListSkipsTempFilesOfInterruptedWrites) {
  TempDir dir;
  FolderBackend backend(dir.path());
  ASSERT_TRUE(backend.Save("packs/a", "x").ok());
  ASSERT_TRUE(WriteFileAtomic(dir.File("packs/b" + std::string(kTempMarker) + "Ab12Cd"), "half", false).ok());
  auto listed = backend.List("");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "packs/a");
}

TEST(FolderBackendTest, RemoveAbandonedTempsRemovesOnlyOldTempFiles) {
  TempDir dir;
  FolderBackend backend(dir.path());
  ASSERT_TRUE(backend.Save("packs/a", "x").ok());
  const std::string old_temp = dir.File("packs/b" + std::string(kTempMarker) + "Old123");
  const std::string new_temp = dir.File("packs/c" + std::string(kTempMarker) + "New123");
  ASSERT_TRUE(WriteFileAtomic(old_temp, "half", false).ok());
  ASSERT_TRUE(WriteFileAtomic(new_temp, "half", false).ok());
  const struct timeval two_hours_ago[2] = {{std::time(nullptr) - 7200, 0}, {std::time(nullptr) - 7200, 0}};
  ASSERT_EQ(::utimes(old_temp.c_str(), two_hours_ago), 0);
  ASSERT_TRUE(backend.RemoveAbandonedTemps(3600).ok());
  EXPECT_FALSE(PathExists(old_temp));
  EXPECT_TRUE(PathExists(new_temp));  // maybe another machine's upload in progress
  EXPECT_TRUE(PathExists(dir.File("packs/a")));
  EXPECT_TRUE(FolderBackend(dir.File("missing")).RemoveAbandonedTemps(3600).ok());
}

TEST(FolderBackendTest, SaveLeavesNoTempFileBehind) {
  TempDir dir;
  FolderBackend backend(dir.path());
  ASSERT_TRUE(backend.Save("d/f", "x").ok());
  EXPECT_EQ(ListDirectory(dir.File("d")), std::vector<std::string>{"f"});
}

TEST(FolderBackendTest, ListOfMissingRootIsEmpty) {
  TempDir dir;
  FolderBackend backend(dir.File("not-yet"));
  auto listed = backend.List("");
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  EXPECT_TRUE(listed->empty());
}

TEST(OpenBackendTest, OpensFoldersAndRejectsUnknownSchemes) {
  auto plain = OpenBackend("/tmp/some/store/");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ((*plain)->Describe(), "/tmp/some/store");
  auto file_url = OpenBackend("file:///tmp/x");
  ASSERT_TRUE(file_url.ok()) << file_url.status().message();
  EXPECT_EQ((*file_url)->Describe(), "/tmp/x");
  for (const char* url : {"relative/path", "file://relative", "http://host/x", "s3://", "gs://b"}) {
    auto bad = OpenBackend(url);
    ASSERT_FALSE(bad.ok()) << url;
    EXPECT_EQ(bad.status().code(), Code::kInvalidArgument) << url;
    EXPECT_NE(bad.status().message().find(url), std::string::npos) << bad.status().message();
  }
}

}  // namespace
}  // namespace trail::remote::testing
