#include "record/registry_layout.h"

#include <gtest/gtest.h>

namespace trail::record {
namespace {

TEST(RegistryLayout, ModelNamesAreSafeFileNames) {
  for (const char* ok : {"fraud", "fraud-detector_v2.1", "A", "x0"}) EXPECT_TRUE(IsModelName(ok)) << ok;
  for (const char* bad : {"", ".", "..", ".hidden", "-rf", "a/b", "a b", "a:b", "a@b", "a\\b", "é"})
    EXPECT_FALSE(IsModelName(bad)) << bad;
  EXPECT_TRUE(IsModelName(std::string(kMaxModelNameLength, 'm')));
  EXPECT_FALSE(IsModelName(std::string(kMaxModelNameLength + 1, 'm')));
  Status s = CheckModelName("a/b", "model name");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("model name \"a/b\" is not a valid name"), std::string::npos) << s.message();
  // A hostile name is cut in the message, which stays one line.
  Status long_name = CheckModelName(std::string(5000, 'x') + "\n", "alias");
  EXPECT_LT(long_name.message().size(), 300u);
}

TEST(RegistryLayout, Paths) {
  EXPECT_EQ(VersionPath("fraud", 12), "models/fraud/versions/12.yaml");
  EXPECT_EQ(AliasDir("fraud", "production"), "models/fraud/aliases/production");
  auto parts = ParseVersionPath("models/fraud/versions/12.yaml");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->name, "fraud");
  EXPECT_EQ(parts->version, 12);
  for (const char* bad :
       {"models/fraud/versions/012.yaml", "models/fraud/versions/0.yaml", "models/fraud/versions/x.yaml",
        "models/fraud/versions/1.yml", "models/../versions/1.yaml", "models/fraud/versions/1.yaml/2.yaml",
        "runs/fraud/versions/1.yaml", "models/fraud/versions/99999999999.yaml", "models/fraud/versions/-1.yaml"})
    EXPECT_FALSE(ParseVersionPath(bad)) << bad;
  EXPECT_EQ(VersionOfFileName("1000000000.yaml"), kMaxModelVersion);
  EXPECT_FALSE(VersionOfFileName("1000000001.yaml"));
  EXPECT_TRUE(IsAliasMovePath("models/fraud/aliases/production/20261126T073012345Z-1a2b3c4d5e6f.yaml"));
  EXPECT_FALSE(IsAliasMovePath("models/fraud/aliases/production/x.txt"));
  EXPECT_FALSE(IsAliasMovePath("models/fraud/aliases/../x.yaml"));
  EXPECT_FALSE(IsAliasMovePath("models/fraud/aliases/production/a/b.yaml"));
}

TEST(RegistryLayout, Uids) {
  const std::string a = RegistryUid(), b = RegistryUid();
  EXPECT_TRUE(IsRegistryUid(a));
  EXPECT_NE(a, b);
  EXPECT_FALSE(IsRegistryUid("ABCDEF0123456789abcdef0123456789"));
  EXPECT_FALSE(IsRegistryUid("abc"));
}

}  // namespace
}  // namespace trail::record
