#include "tracked/data_paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/files.h"
#include "base/test_temp_dir.h"

namespace trail {
namespace {

TEST(RefuseLinksTest, NamesTheFirstLinkOnTheWay) {
  testing::TempDir dir;
  ASSERT_TRUE(MakeDirs(dir.File("real/sub")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.File("real/sub/f"), "x").ok());
  ASSERT_EQ(::symlink("/etc", dir.File("real/out").c_str()), 0);
  ASSERT_EQ(::symlink("sub/f", dir.File("real/alias").c_str()), 0);
  EXPECT_TRUE(RefuseLinks(dir.path(), "real/sub/f").ok());
  EXPECT_TRUE(RefuseLinks(dir.path(), "real/not-yet").ok());
  Status through = RefuseLinks(dir.path(), "real/out/passwd");
  ASSERT_FALSE(through.ok());
  EXPECT_EQ(through.message().rfind("real/out is a symbolic link -> /etc", 0), 0u) << through.message();
  Status alias = RefuseLinks(dir.path(), "real/alias");
  ASSERT_FALSE(alias.ok());
  EXPECT_EQ(alias.message().rfind("real/alias is a symbolic link -> sub/f", 0), 0u) << alias.message();
}

TEST(CheckUtf8NameTest, RefusesOtherBytesNamingThemEscaped) {
  EXPECT_TRUE(CheckUtf8Name("donn\xC3\xA9"
                            "es/x.csv")
                  .ok());
  Status bad = CheckUtf8Name("d/bad\xff.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.message().rfind("d/bad\\xff.csv: ", 0), 0u) << bad.message();
}

}  // namespace
}  // namespace trail
