#include "base/secrets.h"

#include <gtest/gtest.h>

namespace trail {
namespace {

TEST(SecretName, MatchesSecretPartsInAnyCase) {
  for (const char* name : {"password",
                           "db_password",
                           "DB-PASSWORD",
                           "dbPassword",
                           "passwd",
                           "api_key",
                           "apiKey",
                           "API-KEY",
                           "apikey",
                           "hf_token",
                           "HF_TOKEN",
                           "auth",
                           "auth.header",
                           "secret",
                           "client-secret",
                           "aws_access_key_id",
                           "AWS_SECRET_ACCESS_KEY",
                           "private_key",
                           "credentials",
                           "gcp.credential",
                           "passphrase",
                           "train.db.password"}) {
    EXPECT_TRUE(IsSecretName(name)) << name;
  }
}

TEST(SecretName, LeavesOrdinaryMlNamesAlone) {
  for (const char* name : {"lr", "tokenizer", "max_tokens", "author", "authors", "key", "keys", "primary_key",
                           "batch_size", "dropout", "secretary_count", "passes", "pretrained"}) {
    EXPECT_FALSE(IsSecretName(name)) << name;
  }
}

TEST(MaskSecretArgs, MasksValuesOfSecretOptionsOnly) {
  std::vector<std::string> argv = {"python",        "train.py",     "--lr",    "0.1",       "--password", "hunter2",
                                   "--api-key=abc", "db.token=xyz", "--token", "--verbose", "--epochs=3"};
  std::vector<std::string> want = {"python",        "train.py",     "--lr",    "0.1",       "--password", "***",
                                   "--api-key=***", "db.token=***", "--token", "--verbose", "--epochs=3"};
  EXPECT_EQ(MaskSecretArgs(argv), want);
}

TEST(MaskSecretArgs, KeepsTheProgramAndTrailingSecretFlag) {
  std::vector<std::string> argv = {"token", "--auth"};
  EXPECT_EQ(MaskSecretArgs(argv), argv);
}

TEST(SecretFiles, DefaultsCoverConventionalSecretFiles) {
  const auto& d = DefaultSecretFiles();
  for (const char* path : {".env", "app/.env", ".env.local", ".ssh/id_rsa", "home/.ssh/config", "id_ed25519.pub",
                           "certs/server.pem", "tls.key", ".aws/credentials", "x/.aws/credentials", "credentials.json",
                           "gcp-credentials.json", ".netrc", ".git-credentials"}) {
    EXPECT_TRUE(MatchesFilePattern(path, d)) << path;
  }
  for (const char* path : {"train.py", "environment.yml", "src/env.py", "data/keys.csv", "sshd.md", "aws/config"}) {
    EXPECT_FALSE(MatchesFilePattern(path, d)) << path;
  }
}

TEST(SecretFiles, PatternKinds) {
  EXPECT_TRUE(MatchesFilePattern("a/b/conf.secret", {"*.secret"}));
  EXPECT_TRUE(MatchesFilePattern("vault/x.txt", {"vault/"}));
  EXPECT_FALSE(MatchesFilePattern("vault", {"vault/"}));
  EXPECT_TRUE(MatchesFilePattern("conf/prod.yaml", {"conf/prod.yaml"}));
  EXPECT_FALSE(MatchesFilePattern("conf/dev.yaml", {"conf/prod.yaml"}));
  EXPECT_FALSE(MatchesFilePattern(".env", {}));
}

}  // namespace
}  // namespace trail
