#include "remote/aws_credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "base/files.h"
#include "base/test_temp_dir.h"
#include "remote/crypto.h"
#include "remote/s3_backend.h"
#include "remote/test_http_server.h"

namespace trail::remote {
namespace {

using testing::TestHttpServer;
using Request = TestHttpServer::Request;
using Response = TestHttpServer::Response;

EnvLookup CredentialsEnv(std::map<std::string, std::string> vars) {
  // Never the real metadata service, and no real AWS files.
  vars.emplace("HOME", "/nonexistent");
  vars.emplace("AWS_EC2_METADATA_DISABLED", "true");
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string CredsJson(const std::string& id, const std::string& token_key = "Token") {
  return "{\"Code\":\"Success\",\"AccessKeyId\":\"" + id + "\",\"SecretAccessKey\":\"SECRET-" + id + "\",\"" +
         token_key + "\":\"TOKEN-" + id + "\",\"Expiration\":\"2030-01-01T00:00:00Z\"}";
}

std::string StsXml(const std::string& id) {
  return "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>" + id +
         "</AccessKeyId><SecretAccessKey>SECRET-" + id + "</SecretAccessKey><SessionToken>TOKEN-" + id +
         "</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
         "</AssumeRoleResponse>";
}

// IMDSv2 as EC2 has it: no credentials without a session token from PUT /latest/api/token.
Response Imds(const Request& r) {
  if (r.method == "PUT" && r.target == "/latest/api/token") {
    if (r.Header("x-aws-ec2-metadata-token-ttl-seconds").empty()) return {400, ""};
    return {200, "SESSION-TOKEN"};
  }
  if (r.Header("x-aws-ec2-metadata-token") != "SESSION-TOKEN") return {401, ""};
  if (r.target == "/latest/meta-data/iam/security-credentials/") return {200, "my-role\n"};
  if (r.target == "/latest/meta-data/iam/security-credentials/my-role") return {200, CredsJson("IMDSKEY")};
  return {404, ""};
}

void Write(const std::string& path, const std::string& text) { ASSERT_TRUE(WriteFileAtomic(path, text, false).ok()); }

TEST(AwsCredentialsParsing, IsoTimesAndBoundedJson) {
  EXPECT_EQ(ParseIsoTime("1970-01-02T00:00:00Z"), std::optional<std::time_t>(86400));
  EXPECT_EQ(ParseIsoTime("1970-01-02T00:00:01.123Z"), std::optional<std::time_t>(86401));
  EXPECT_EQ(ParseIsoTime("1970-01-02T00:00:00UTC"), std::optional<std::time_t>(86400));
  EXPECT_FALSE(ParseIsoTime("1970-01-02T00:00:00+05:00"));
  EXPECT_FALSE(ParseIsoTime("tomorrow"));
  EXPECT_FALSE(ParseIsoTime("1970-13-02T00:00:00Z"));
  EXPECT_TRUE(ParseJsonObject("{\"a\":1}").ok());
  EXPECT_EQ(ParseJsonObject("[1]").status().message(), "answer is not a JSON object");
  EXPECT_EQ(ParseJsonObject("{").status().message(), "answer is not JSON");
  EXPECT_EQ(ParseJsonObject(std::string(100, '[')).status().message(), "answer nested too deeply");
  EXPECT_NE(ParseJsonObject(std::string(kMaxCredentialAnswer + 1, ' ')).status().message().find("larger than"),
            std::string::npos);
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(AwsCredentialsImds, TokenThenRoleThenCredentials) {
  TestHttpServer imds(Imds);
  auto c = ResolveAwsCredentials(
      CredentialsEnv({{"AWS_EC2_METADATA_DISABLED", "false"}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}}), "");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->credentials.access_key_id, "IMDSKEY");
  EXPECT_EQ(c->credentials.secret_access_key, "SECRET-IMDSKEY");
  EXPECT_EQ(c->credentials.session_token, "TOKEN-IMDSKEY");
  EXPECT_EQ(c->expiration, ParseIsoTime("2030-01-01T00:00:00Z"));
  EXPECT_EQ(c->source, "instance metadata");
  auto requests = imds.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].Header("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(requests[2].Header("x-aws-ec2-metadata-token"), "SESSION-TOKEN");
}

TEST(AwsCredentialsImds, DisabledOrSilentOrBrokenMetadata) {
  TestHttpServer imds(Imds);
  auto disabled = ResolveAwsCredentials(CredentialsEnv({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}}), "");
  EXPECT_NE(disabled.status().message().find("no AWS credentials"), std::string::npos);
  EXPECT_TRUE(imds.requests().empty());

  // A service that takes the connection and never answers: the chain gives up quickly.
  int port = 0;
  int silent = TestHttpServer::Listen(&port);
  const auto start = std::chrono::steady_clock::now();
  auto none = ResolveAwsCredentials(
      CredentialsEnv({{"AWS_EC2_METADATA_DISABLED", "false"},
                      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(port)}}),
      "");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(silent);
  EXPECT_NE(none.status().message().find("no AWS credentials"), std::string::npos) << none.status().message();
  EXPECT_LT(seconds, 1.5);

  TestHttpServer garbage([](const Request& r) -> Response {
    if (r.method == "PUT") return {200, "T"};
    if (r.target.back() == '/') return {200, "role"};
    return {200, "{\"AccessKeyId\": 5}"};
  });
  auto bad = ResolveAwsCredentials(
      CredentialsEnv({{"AWS_EC2_METADATA_DISABLED", "false"}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", garbage.url()}}),
      "");
  EXPECT_EQ(bad.status().message(), "credentials from instance metadata: answer has no AccessKeyId");
  TestHttpServer huge([](const Request& r) -> Response {
    if (r.method == "PUT") return {200, "T"};
    if (r.target.back() == '/') return {200, "role"};
    return {200, std::string(kMaxCredentialAnswer + 10, ' ')};
  });
  auto big = ResolveAwsCredentials(
      CredentialsEnv({{"AWS_EC2_METADATA_DISABLED", "false"}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", huge.url()}}), "");
  EXPECT_NE(big.status().message().find("answer larger than 65536 bytes"), std::string::npos) << big.status().message();
}

TEST(AwsCredentialsOrder, EnvironmentWinsOverInstanceMetadata) {
  TestHttpServer imds(Imds);
  auto c = ResolveAwsCredentials(CredentialsEnv({{"AWS_ACCESS_KEY_ID", "ENVKEY"},
                                                 {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                                                 {"AWS_EC2_METADATA_DISABLED", "false"},
                                                 {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}}),
                                 "");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->credentials.access_key_id, "ENVKEY");
  EXPECT_FALSE(c->expiration);
  EXPECT_TRUE(imds.requests().empty());
}

TEST(AwsCredentialsEcs, TokenIsSentAndChecked) {
  trail::testing::TempDir dir;
  TestHttpServer ecs([](const Request& r) -> Response {
    if (r.Header("authorization") != "ECS-AUTH") return {401, ""};
    return {200, CredsJson("ECSKEY")};
  });
  auto env = [&](std::map<std::string, std::string> extra) {
    extra["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.url() + "/v2/credentials";
    return CredentialsEnv(extra);
  };
  auto c = ResolveAwsCredentials(env({{"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ECS-AUTH"}}), "");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->credentials.access_key_id, "ECSKEY");
  EXPECT_EQ(ecs.requests().back().target, "/v2/credentials");
  Write(dir.File("token"), "ECS-AUTH\n");
  auto from_file = ResolveAwsCredentials(env({{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir.File("token")}}), "");
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();
  auto wrong = ResolveAwsCredentials(env({{"AWS_CONTAINER_AUTHORIZATION_TOKEN", "nope"}}), "");
  EXPECT_EQ(wrong.status().message(), "credentials from the container (ECS): answered 401");

  auto far =
      ResolveAwsCredentials(CredentialsEnv({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://203.0.113.9/creds"}}), "");
  EXPECT_NE(far.status().message().find("must be https, or http to a loopback address"), std::string::npos);
  auto forged = ResolveAwsCredentials(CredentialsEnv({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url()},
                                                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Evil: 1"}}),
                                      "");
  EXPECT_NE(forged.status().message().find("line break"), std::string::npos);
}

// A stand-in STS: checks what each action needs and answers with credentials named after the
// caller's access key, so a test can see which credentials signed which call.
Response Sts(const Request& r) {
  if (r.method != "POST") return {405, ""};
  if (r.body.find("Action=AssumeRoleWithWebIdentity") != std::string::npos) {
    if (!r.Header("authorization").empty()) return {400, ""};
    if (r.body.find("WebIdentityToken=WEB-TOKEN") == std::string::npos) return {403, ""};
    return {200, StsXml("WEBKEY")};
  }
  const std::string auth = r.Header("authorization");
  size_t at = auth.find("Credential=");
  if (auth.rfind("AWS4-HMAC-SHA256 ", 0) != 0 || at == std::string::npos || r.Header("x-amz-date").empty())
    return {403, "<ErrorResponse><Error><Code>MissingAuthenticationToken</Code></Error></ErrorResponse>"};
  const std::string caller = auth.substr(at + 11, auth.find('/', at) - at - 11);
  if (auth.find("/sts/aws4_request") == std::string::npos) return {403, ""};
  return {200, StsXml("ROLE-VIA-" + caller)};
}

TEST(AwsCredentialsSts, ProfileRoleWinsOverStaticKeysAndChains) {
  trail::testing::TempDir dir;
  TestHttpServer sts(Sts);
  Write(dir.File("credentials"),
        "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = BASESECRET\n"
        "[dev]\naws_access_key_id = DEVSTATIC\naws_secret_access_key = DEVSTATICSECRET\n");
  Write(dir.File("config"),
        "[profile dev]\nrole_arn = arn:aws:iam::123:role/dev\nsource_profile = base\n"
        "role_session_name = me\nexternal_id = ext-1\nduration_seconds = 900\n"
        "[profile top]\nrole_arn = arn:aws:iam::123:role/top\nsource_profile = dev\n"
        "[profile loop1]\nrole_arn = arn:aws:iam::123:role/a\nsource_profile = loop2\n"
        "[profile loop2]\nrole_arn = arn:aws:iam::123:role/b\nsource_profile = loop1\n"
        "[profile envsrc]\nrole_arn = arn:aws:iam::123:role/e\ncredential_source = Environment\n"
        "[profile norole]\nrole_arn = arn:aws:iam::123:role/n\n");
  auto env = CredentialsEnv({{"AWS_SHARED_CREDENTIALS_FILE", dir.File("credentials")},
                             {"AWS_CONFIG_FILE", dir.File("config")},
                             {"AWS_ENDPOINT_URL_STS", sts.url()},
                             {"AWS_REGION", "eu-west-1"}});
  auto dev = ResolveAwsCredentials(env, "dev");
  ASSERT_TRUE(dev.ok()) << dev.status().message();
  EXPECT_EQ(dev->credentials.access_key_id, "ROLE-VIA-BASEKEY");
  EXPECT_EQ(dev->credentials.session_token, "TOKEN-ROLE-VIA-BASEKEY");
  EXPECT_TRUE(dev->expiration);
  Request call = sts.requests().back();
  EXPECT_NE(call.Header("authorization").find("Credential=BASEKEY/"), std::string::npos);
  EXPECT_NE(call.Header("authorization").find("/eu-west-1/sts/aws4_request"), std::string::npos);
  for (const char* field : {"Action=AssumeRole&", "RoleArn=arn%3Aaws%3Aiam%3A%3A123%3Arole%2Fdev", "RoleSessionName=me",
                            "ExternalId=ext-1", "DurationSeconds=900", "Version=2011-06-15"}) {
    EXPECT_NE(call.body.find(field), std::string::npos) << field << " in " << call.body;
  }

  // top -> dev -> base: dev's role credentials sign top's AssumeRole.
  auto top = ResolveAwsCredentials(env, "top");
  ASSERT_TRUE(top.ok()) << top.status().message();
  EXPECT_EQ(top->credentials.access_key_id, "ROLE-VIA-ROLE-VIA-BASEKEY");

  auto loop = ResolveAwsCredentials(env, "loop1");
  EXPECT_EQ(loop.status().message(), "profiles' source_profile form a loop: loop1 -> loop2 -> loop1");
  auto norole = ResolveAwsCredentials(env, "norole");
  EXPECT_NE(norole.status().message().find("has role_arn but no source_profile"), std::string::npos);
  auto no_env = ResolveAwsCredentials(env, "envsrc");
  EXPECT_NE(no_env.status().message().find("credential_source Environment"), std::string::npos);

  TestHttpServer refusing([](const Request&) -> Response {
    return {403,
            "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>"};
  });
  auto denied = ResolveAwsCredentials(CredentialsEnv({{"AWS_SHARED_CREDENTIALS_FILE", dir.File("credentials")},
                                                      {"AWS_CONFIG_FILE", dir.File("config")},
                                                      {"AWS_ENDPOINT_URL", refusing.url()}}),
                                      "dev");
  EXPECT_EQ(denied.status().message(), "profile dev: credentials from STS AssumeRole: 403 AccessDenied: not allowed");
}

TEST(AwsCredentialsSts, WebIdentityFromEnvironmentIsUnsigned) {
  trail::testing::TempDir dir;
  TestHttpServer sts(Sts);
  Write(dir.File("token"), "WEB-TOKEN\n");
  auto c = ResolveAwsCredentials(CredentialsEnv({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.File("token")},
                                                 {"AWS_ROLE_ARN", "arn:aws:iam::123:role/irsa"},
                                                 {"AWS_ROLE_SESSION_NAME", "pod"},
                                                 {"AWS_ENDPOINT_URL_STS", sts.url()}}),
                                 "");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->credentials.access_key_id, "WEBKEY");
  EXPECT_NE(sts.requests().back().body.find("RoleSessionName=pod"), std::string::npos);
  auto missing = ResolveAwsCredentials(CredentialsEnv({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.File("absent")},
                                                       {"AWS_ROLE_ARN", "arn:aws:iam::123:role/irsa"}}),
                                       "");
  EXPECT_NE(missing.status().message().find("credentials from web identity token file: cannot read"), std::string::npos)
      << missing.status().message();
}

TEST(AwsCredentialsSso, CachedTokenForThePortal) {
  trail::testing::TempDir home;
  TestHttpServer portal([](const Request& r) -> Response {
    if (r.Header("x-amz-sso_bearer_token") != "SSO-ACCESS") return {401, ""};
    if (r.target != "/federation/credentials?account_id=111122223333&role_name=Dev") return {404, ""};
    return {200,
            "{\"roleCredentials\":{\"accessKeyId\":\"SSOKEY\",\"secretAccessKey\":\"SSOSECRET\","
            "\"sessionToken\":\"SSOTOKEN\",\"expiration\":1893456000000}}"};
  });
  ASSERT_TRUE(MakeDirs(home.File(".aws/sso/cache")).ok());
  Write(home.File(".aws/config"),
        "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n");
  const std::string cache = home.File(".aws/sso/cache/" + Sha1Hex("corp") + ".json");
  auto env = CredentialsEnv({{"HOME", home.path()}, {"AWS_ENDPOINT_URL_SSO", portal.url()}});
  Write(cache, "{\"accessToken\":\"SSO-ACCESS\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}");
  auto c = ResolveAwsCredentials(env, "sso");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->credentials.access_key_id, "SSOKEY");
  EXPECT_EQ(c->expiration, std::optional<std::time_t>(1893456000));

  Write(cache, "{\"accessToken\":\"SSO-ACCESS\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}");
  auto expired = ResolveAwsCredentials(env, "sso");
  EXPECT_EQ(expired.status().message(),
            "credentials from SSO: the SSO login expired: run aws sso login --sso-session corp");
  ::unlink(cache.c_str());
  auto none = ResolveAwsCredentials(env, "sso");
  EXPECT_NE(none.status().message().find("no cached login"), std::string::npos);
}

TEST(AwsCredentialsProcess, RunsWithoutShellAndParsesVersion1) {
  trail::testing::TempDir dir;
  const std::string script = dir.File("creds helper.sh");
  Write(script,
        "#!/bin/sh\n"
        "case \"$1\" in\n"
        "  ok) echo '{\"Version\": 1, \"AccessKeyId\": \"PROCKEY\", \"SecretAccessKey\": \"PROCSECRET\", "
        "\"SessionToken\": \"PROCTOKEN\", \"Expiration\": \"2030-01-01T00:00:00Z\"}' ;;\n"
        "  v2) echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"B\"}' ;;\n"
        "  fail) exit 3 ;;\n"
        "  slow) sleep 5 ;;\n"
        "esac\n");
  ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
  Write(dir.File("config"), "[default]\ncredential_process = \"" + script + "\" ok $HOME;rm\n");
  auto c = ResolveAwsCredentials(CredentialsEnv({{"AWS_CONFIG_FILE", dir.File("config")}}), "");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->credentials.access_key_id, "PROCKEY");
  EXPECT_EQ(c->credentials.session_token, "PROCTOKEN");
  EXPECT_TRUE(c->expiration);

  const std::string quoted = "'" + script + "'";
  EXPECT_EQ(ProcessCredentials(quoted + " v2").status().message(),
            "credentials from credential_process: answer's Version is not 1");
  EXPECT_NE(ProcessCredentials(quoted + " fail").status().message().find("exited with status 3"), std::string::npos);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(ProcessCredentials(quoted + " slow", 200).status().message().find("did not finish within"),
            std::string::npos);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0);
  EXPECT_NE(ProcessCredentials("/nonexistent/helper").status().message().find("cannot run"), std::string::npos);
  EXPECT_NE(ProcessCredentials("'unclosed").status().message().find("unclosed quote"), std::string::npos);
}

TEST(CredentialProviderTest, RefreshesAheadOfExpiryOnce) {
  std::atomic<std::time_t> now{1000};
  std::atomic<int> refreshes{0};
  std::atomic<bool> fail{false};
  ResolvedCredentials first{{"K1", "S1", "T1"}, std::time_t{2000}, "test"};
  CredentialProvider provider(
      first,
      [&]() -> StatusOr<ResolvedCredentials> {
        ++refreshes;
        if (fail) return IoError("sts down");
        return ResolvedCredentials{{"K2", "S2", "T2"}, std::time_t{5000}, "test"};
      },
      [&] { return now.load(); });
  EXPECT_EQ(provider.Get()->access_key_id, "K1");
  now = 2000 - CredentialProvider::kRefreshMargin - 1;
  EXPECT_EQ(provider.Get()->access_key_id, "K1");
  EXPECT_EQ(refreshes, 0);

  now = 2000 - CredentialProvider::kRefreshMargin;  // inside the margin: many threads, one refresh
  std::vector<std::thread> threads;
  std::atomic<int> fresh{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        if (provider.Get()->access_key_id == "K2") ++fresh;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(refreshes, 1);
  EXPECT_EQ(fresh, 400);

  // A failed refresh keeps the old keys while they work, and is an error once they expired.
  fail = true;
  now = 5000 - 100;
  EXPECT_EQ(provider.Get()->access_key_id, "K2");
  EXPECT_EQ(refreshes, 2);
  EXPECT_EQ(provider.Get()->access_key_id, "K2");  // not asked again within kRetryInterval
  EXPECT_EQ(refreshes, 2);
  now = 5000;
  auto expired = provider.Get();
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().message(), "credentials expired and cannot be refreshed: sts down");
}

TEST(CredentialProviderTest, S3BackendSignsEachRequestWithFreshCredentials) {
  TestHttpServer s3([](const Request&) -> Response { return {200, ""}; });
  std::atomic<std::time_t> now{1000};
  int generation = 1;
  S3Settings settings{{"K1", "S1", "T1"}, "us-east-1", s3.url(), nullptr};
  settings.provider = std::make_shared<CredentialProvider>(
      ResolvedCredentials{{"K1", "S1", "T1"}, std::time_t{2000}, "test"},
      [&]() -> StatusOr<ResolvedCredentials> {
        ++generation;
        const std::string n = std::to_string(generation);
        return ResolvedCredentials{{"K" + n, "S" + n, "T" + n}, std::time_t{9000}, "test"};
      },
      [&] { return now.load(); });
  auto backend = S3Backend::Open("bucket", "", std::move(settings));
  ASSERT_TRUE(backend.ok());
  ASSERT_TRUE((*backend)->Save("a", "x").ok());
  now = 1900;  // inside the margin: the next request refreshes first
  ASSERT_TRUE((*backend)->Save("b", "y").ok());
  auto requests = s3.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].Header("authorization").find("Credential=K1/"), std::string::npos);
  EXPECT_EQ(requests[0].Header("x-amz-security-token"), "T1");
  EXPECT_NE(requests[1].Header("authorization").find("Credential=K2/"), std::string::npos);
  EXPECT_EQ(requests[1].Header("x-amz-security-token"), "T2");
}

}  // namespace
}  // namespace trail::remote
