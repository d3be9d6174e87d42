#include "tracked/gitignore.h"

#include <gtest/gtest.h>

#include "base/files.h"
#include "base/mem_env.h"
#include "base/test_temp_dir.h"

namespace trail {
namespace {

std::string LineFor(std::string_view name) {
  auto line = IgnoreLineFor(name);
  EXPECT_TRUE(line.ok()) << line.status().message();
  return line.ok() ? *line : "";
}

TEST(IgnoreLineForTest, PlainNamesAreAnchored) {
  EXPECT_EQ(LineFor("train.csv"), "/train.csv");
  EXPECT_EQ(LineFor("sp ace"), "/sp ace");  // inner spaces are kept by Git
}

TEST(IgnoreLineForTest, GlobCharactersAndBackslashAreEscaped) {
  EXPECT_EQ(LineFor("d[1].bin"), "/d\\[1].bin");
  EXPECT_EQ(LineFor("a*b?c"), "/a\\*b\\?c");
  EXPECT_EQ(LineFor("back\\slash"), "/back\\\\slash");
}

TEST(IgnoreLineForTest, LeadingBangAndHashNeedNothingAfterTheSlash) {
  EXPECT_EQ(LineFor("!x"), "/!x");
  EXPECT_EQ(LineFor("#x"), "/#x");
}

TEST(IgnoreLineForTest, TrailingSpacesAreEscaped) { EXPECT_EQ(LineFor("x  "), "/x\\ \\ "); }

TEST(IgnoreLineForTest, LineBreaksAreRefusedByName) {
  auto nl = IgnoreLineFor("two\nlines");
  ASSERT_FALSE(nl.ok());
  EXPECT_NE(nl.status().message().find("two\\nlines"), std::string::npos) << nl.status().message();
  EXPECT_FALSE(IgnoreLineFor("cr\r").ok());
}

TEST(AddIgnoreLinesTest, AddsEachMissingLineOnceAndKeepsTheRest) {
  testing::TempDir dir;
  const std::string path = dir.File(".gitignore");
  ASSERT_TRUE(WriteFileAtomic(path, "# mine\n/a").ok());
  ASSERT_TRUE(AddIgnoreLines(path, {"/a", "/b", "*.trail.tmp-*"}).ok());
  ASSERT_TRUE(AddIgnoreLines(path, {"/b", "*.trail.tmp-*"}).ok());
  EXPECT_EQ(*ReadFile(path), "# mine\n/a\n/b\n*.trail.tmp-*\n");
}

// The same rule in memory: AddIgnoreLines needs only files, so a MemEnv serves.
TEST(AddIgnoreLinesTest, WritesThroughTheEnvItIsGiven) {
  MemEnv env;
  ASSERT_TRUE(env.MakeDirs("/w").ok());
  ASSERT_TRUE(AddIgnoreLines("/w/.gitignore", {"/a"}, env).ok());
  ASSERT_TRUE(AddIgnoreLines("/w/.gitignore", {"/a", "/b"}, env).ok());
  EXPECT_EQ(*env.ReadFile("/w/.gitignore"), "/a\n/b\n");
  EXPECT_EQ(env.ListDir("/w"), std::vector<std::string>{".gitignore"});  // no temp left
}

}  // namespace
}  // namespace trail
