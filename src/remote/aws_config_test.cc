#include "remote/aws_config.h"

#include <gtest/gtest.h>

#include <map>

#include "base/files.h"
#include "base/test_temp_dir.h"

namespace trail::remote {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(IniTest, ToleratesSpacesCommentsAndBlankLines) {
  IniSections ini = ParseIni(
      "# comment\n"
      "; another\n"
      "\n"
      "[default]\n"
      "aws_access_key_id=AK\n"
      "  \n"
      "Region =  eu-west-1  \r\n"
      "[ profile   dev ]\n"
      "endpoint_url = http://localhost:9000\n"
      "s3 =\n"
      "  addressing_style = path\n"
      "no equals sign\n");
  EXPECT_EQ(ini["default"]["aws_access_key_id"], "AK");
  EXPECT_EQ(ini["default"]["region"], "eu-west-1");
  EXPECT_EQ(ini["profile dev"]["endpoint_url"], "http://localhost:9000");
  EXPECT_EQ(ini["profile dev"].count("addressing_style"), 0u);
}

TEST(AwsConfigTest, EnvironmentWins) {
  auto s = LoadS3Settings(FakeEnv({{"AWS_ACCESS_KEY_ID", "AK"},
                                   {"AWS_SECRET_ACCESS_KEY", "SK"},
                                   {"AWS_SESSION_TOKEN", "TOK"},
                                   {"AWS_DEFAULT_REGION", "eu-north-1"},
                                   {"AWS_ENDPOINT_URL", "http://generic"},
                                   {"AWS_ENDPOINT_URL_S3", "http://s3-specific"},
                                   {"HOME", "/nonexistent"}}));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->credentials.access_key_id, "AK");
  EXPECT_EQ(s->credentials.secret_access_key, "SK");
  EXPECT_EQ(s->credentials.session_token, "TOK");
  EXPECT_EQ(s->region, "eu-north-1");
  EXPECT_EQ(s->endpoint, "http://s3-specific");
}

TEST(AwsConfigTest, ReadsTheProfileFromFiles) {
  trail::testing::TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.File("credentials"),
                              "[default]\naws_access_key_id = DEF\naws_secret_access_key = DEFS\n"
                              "[work]\naws_access_key_id = WORK\naws_secret_access_key = WORKS\n",
                              false)
                  .ok());
  ASSERT_TRUE(WriteFileAtomic(dir.File("config"),
                              "[default]\nregion = us-west-2\n"
                              "[profile work]\nregion = ap-south-1\nendpoint_url = http://minio:9000\n",
                              false)
                  .ok());
  auto env = [&](std::map<std::string, std::string> extra) {
    extra["AWS_SHARED_CREDENTIALS_FILE"] = dir.File("credentials");
    extra["AWS_CONFIG_FILE"] = dir.File("config");
    return FakeEnv(extra);
  };
  auto def = LoadS3Settings(env({}));
  ASSERT_TRUE(def.ok()) << def.status().message();
  EXPECT_EQ(def->credentials.access_key_id, "DEF");
  EXPECT_EQ(def->region, "us-west-2");
  EXPECT_EQ(def->endpoint, "");

  auto work = LoadS3Settings(env({{"AWS_PROFILE", "work"}}));
  ASSERT_TRUE(work.ok()) << work.status().message();
  EXPECT_EQ(work->credentials.access_key_id, "WORK");
  EXPECT_EQ(work->credentials.secret_access_key, "WORKS");
  EXPECT_EQ(work->region, "ap-south-1");
  EXPECT_EQ(work->endpoint, "http://minio:9000");

  auto region_env = LoadS3Settings(env({{"AWS_PROFILE", "work"}, {"AWS_REGION", "sa-east-1"}}));
  ASSERT_TRUE(region_env.ok());
  EXPECT_EQ(region_env->region, "sa-east-1");
}

TEST(AwsConfigTest, HomeDefaultsAndUsEast1) {
  trail::testing::TempDir home;
  ASSERT_TRUE(MakeDirs(home.File(".aws")).ok());
  ASSERT_TRUE(
      WriteFileAtomic(home.File(".aws/credentials"), "[default]\naws_access_key_id=A\naws_secret_access_key=B\n", false)
          .ok());
  auto s = LoadS3Settings(FakeEnv({{"HOME", home.path()}}));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->credentials.access_key_id, "A");
  EXPECT_EQ(s->region, "us-east-1");
}

TEST(AwsConfigTest, MissingCredentialsSayWhereToPutThem) {
  auto s = LoadS3Settings(
      FakeEnv({{"HOME", "/nonexistent"}, {"AWS_ACCESS_KEY_ID", "only-half"}, {"AWS_EC2_METADATA_DISABLED", "true"}}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_NE(s.status().message().find("no AWS credentials: set AWS_ACCESS_KEY_ID"), std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("/nonexistent/.aws/credentials"), std::string::npos) << s.status().message();
}

}  // namespace
}  // namespace trail::remote
