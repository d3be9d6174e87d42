// A remote's own S3 settings (trail remote modify): checked, and winning over the environment.
#include <gtest/gtest.h>

#include <map>

#include "remote/backend.h"

namespace trail::remote {
namespace {

TEST(BackendSettingsTest, ChecksKeysAndValues) {
  EXPECT_TRUE(CheckBackendSetting("endpoint", "http://127.0.0.1:9000").ok());
  EXPECT_TRUE(CheckBackendSetting("endpoint", "https://s3.example.org/base").ok());
  EXPECT_TRUE(CheckBackendSetting("profile", "team-ml_1").ok());
  EXPECT_TRUE(CheckBackendSetting("region", "eu-west-1").ok());
  EXPECT_NE(CheckBackendSetting("colour", "blue").message().find("unknown remote setting \"colour\""),
            std::string::npos);
  EXPECT_FALSE(CheckBackendSetting("endpoint", "ftp://host").ok());
  EXPECT_FALSE(CheckBackendSetting("endpoint", "http://host with space").ok());
  const Status secret = CheckBackendSetting("endpoint", "http://key:hunter2@host");
  EXPECT_FALSE(secret.ok());
  EXPECT_EQ(secret.message().find("hunter2"), std::string::npos) << secret.message();
  EXPECT_FALSE(CheckBackendSetting("region", "eu west").ok());
  EXPECT_FALSE(CheckBackendSetting("region", "").ok());
  EXPECT_FALSE(CheckBackendSetting("profile", "a\nb").ok());
  EXPECT_FALSE(CheckBackendSetting("region", std::string(300, 'a')).ok());
}

TEST(BackendSettingsTest, SettingsWinOverTheEnvironment) {
  const std::map<std::string, std::string> vars = {
      {"AWS_ENDPOINT_URL", "http://env:1"}, {"AWS_REGION", "us-east-1"},    {"AWS_PROFILE", "envprofile"},
      {"AWS_ACCESS_KEY_ID", "ENVKEY"},      {"AWS_SECRET_ACCESS_KEY", "x"}, {"HOME", "/home/u"}};
  EnvLookup env = [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  // No settings: the environment as it is.
  EnvLookup plain = OverlaySettings(env, BackendSettings{});
  EXPECT_EQ(plain("AWS_ENDPOINT_URL"), "http://env:1");
  EXPECT_EQ(plain("AWS_ACCESS_KEY_ID"), "ENVKEY");
  BackendSettings s;
  ASSERT_TRUE(SetBackendSetting(s, "endpoint", "http://minio:9000").ok());
  ASSERT_TRUE(SetBackendSetting(s, "region", "eu-west-1").ok());
  EnvLookup with = OverlaySettings(env, s);
  EXPECT_EQ(with("AWS_ENDPOINT_URL"), "http://minio:9000");
  EXPECT_EQ(with("AWS_ENDPOINT_URL_S3"), "http://minio:9000");
  EXPECT_EQ(with("AWS_REGION"), "eu-west-1");
  EXPECT_EQ(with("AWS_DEFAULT_REGION"), "eu-west-1");
  EXPECT_EQ(with("AWS_ACCESS_KEY_ID"), "ENVKEY");  // no profile: the environment's keys
  EXPECT_EQ(with("HOME"), "/home/u");
  // A profile hides the environment's static keys, as `aws --profile` does.
  ASSERT_TRUE(SetBackendSetting(s, "profile", "minio").ok());
  with = OverlaySettings(env, s);
  EXPECT_EQ(with("AWS_PROFILE"), "minio");
  EXPECT_EQ(with("AWS_ACCESS_KEY_ID"), std::nullopt);
  EXPECT_EQ(with("AWS_SECRET_ACCESS_KEY"), std::nullopt);
  // An empty value unsets.
  ASSERT_TRUE(SetBackendSetting(s, "profile", "").ok());
  EXPECT_EQ(OverlaySettings(env, s)("AWS_PROFILE"), "envprofile");
  EXPECT_FALSE(SetBackendSetting(s, "colour", "").ok());
}

TEST(BackendSettingsTest, FolderRemotesTakeNone) {
  BackendSettings s;
  s.region = "eu-west-1";
  auto opened = OpenBackend("/tmp/somewhere", s);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("is a folder"), std::string::npos);
  EXPECT_TRUE(OpenBackend("/tmp/somewhere", BackendSettings{}).ok());
}

}  // namespace
}  // namespace trail::remote
