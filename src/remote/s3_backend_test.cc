// The S3 backend against a real S3 server (s3rver, started per test), plus what only S3 has:
// error mapping, and interoperability with Debian's AWS CLI.
#include "remote/s3_backend.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

#include "base/files.h"
#include "base/test_temp_dir.h"
#include "remote/backend_suite.h"
#include "remote/s3_test_server.h"

namespace trail::remote::testing {
namespace {

using trail::testing::TempDir;

constexpr const char* kBucket = "trail-test";

// A backend for `bucket` on a fresh server; ADD_FAILURE and null when the server cannot start.
BackendUnderTest MakeS3(const std::string& prefix) {
  auto server = S3TestServer::Start(kBucket);
  if (!server.ok()) {
    ADD_FAILURE() << server.status().message();
    return {};
  }
  std::shared_ptr<S3TestServer> keep(std::move(*server));
  auto backend = S3Backend::Open(kBucket, prefix, keep->settings());
  if (!backend.ok()) {
    ADD_FAILURE() << backend.status().message();
    return {};
  }
  return {keep, std::move(*backend)};
}

INSTANTIATE_TEST_SUITE_P(S3, BackendSuite,
                         ::testing::Values(BackendCase{"S3", [] { return MakeS3(""); }, false},
                                           BackendCase{"S3WithPrefix", [] { return MakeS3("stores/one"); }, false}),
                         BackendCaseName);

class S3BackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = S3TestServer::Start(kBucket);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }
  void TearDown() override { server_.reset(); }  // SIGTERM and wait

  // Through the Backend interface, as callers use it.
  std::unique_ptr<Backend> Open(const std::string& bucket, S3Settings settings) {
    auto backend = S3Backend::Open(bucket, "", std::move(settings));
    EXPECT_TRUE(backend.ok()) << backend.status().message();
    return backend.ok() ? std::move(*backend) : nullptr;
  }

  // Runs Debian's AWS CLI against the server; its exit status.
  int Aws(const std::string& args) {
    if (::access("/usr/bin/aws", X_OK) != 0) {
      ADD_FAILURE() << "/usr/bin/aws is missing: apt install awscli (the interop test needs Debian's AWS CLI)";
      return -1;
    }
    std::string command =
        "env -u AWS_PROFILE -u AWS_ENDPOINT_URL -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=" +
        std::string(S3TestServer::kAccessKey) + " AWS_SECRET_ACCESS_KEY=" + S3TestServer::kSecretKey +
        " AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null"
        " /usr/bin/aws --endpoint-url " +
        server_->endpoint() + " " + args + " > " + log_.File("aws.log") + " 2>&1";
    int rc = std::system(command.c_str());
    if (rc != 0) ADD_FAILURE() << "aws " << args << " failed: " << ReadFile(log_.File("aws.log")).value_or("");
    return rc;
  }

  std::unique_ptr<S3TestServer> server_;
  TempDir log_;
};

TEST_F(S3BackendTest, UnknownAccessKeyIsAClearError) {
  S3Settings settings = server_->settings();
  settings.credentials.access_key_id = "NOT-A-KEY";
  auto backend = Open(kBucket, settings);
  ASSERT_NE(backend, nullptr);
  Status s = backend->Save("k", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kFailedPrecondition) << s.message();
  EXPECT_EQ(s.message().rfind("s3://trail-test/k: 403 InvalidAccessKeyId: ", 0), 0u) << s.message();
  auto listed = backend->List("");
  ASSERT_FALSE(listed.ok());
  EXPECT_NE(listed.status().message().find("InvalidAccessKeyId"), std::string::npos) << listed.status().message();
}

// s3rver 3.7 does not check SigV4 signatures, so a wrong secret key is accepted there; real S3
// answers 403 SignatureDoesNotMatch, which ErrorFor maps like the case above.

TEST_F(S3BackendTest, MissingBucketIsNamedAndIsNotNotFound) {
  auto backend = Open("no-such-bucket", server_->settings());
  ASSERT_NE(backend, nullptr);
  auto loaded = backend->Load("k");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), Code::kFailedPrecondition) << loaded.status().message();
  EXPECT_EQ(loaded.status().message().rfind("s3://no-such-bucket/k: 404 NoSuchBucket", 0), 0u)
      << loaded.status().message();
  Status saved = backend->Save("k", "x");
  EXPECT_NE(saved.message().find("NoSuchBucket"), std::string::npos) << saved.message();
  auto listed = backend->List("");
  ASSERT_FALSE(listed.ok());
  EXPECT_NE(listed.status().message().find("NoSuchBucket"), std::string::npos) << listed.status().message();
}

TEST_F(S3BackendTest, CreatesBucketsIdempotently) {
  auto opened = S3Backend::Open("fresh-bucket", "", server_->settings());
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  S3Backend* backend = opened->get();
  Status created = backend->CreateBucket();
  ASSERT_TRUE(created.ok()) << created.message();
  Status again = backend->CreateBucket();
  EXPECT_TRUE(again.ok()) << again.message();
  ASSERT_TRUE(backend->Save("k", "v").ok());
  EXPECT_EQ(backend->Load("k", 0, 0).value_or(""), "v");
}

TEST_F(S3BackendTest, UnreachableServerIsAnIoErrorAfterRetries) {
  S3Settings settings = server_->settings();
  server_->Stop();
  auto backend = Open(kBucket, settings);
  ASSERT_NE(backend, nullptr);
  auto start = std::chrono::steady_clock::now();
  auto loaded = backend->Load("k");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), Code::kIo);
  EXPECT_EQ(loaded.status().message().rfind("s3://trail-test/k: ", 0), 0u) << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("after 3 tries"), std::string::npos) << loaded.status().message();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000)) << "no backoff between tries";
}

TEST_F(S3BackendTest, AwsCliReadsWhatWeWriteAndWeReadWhatItWrites) {
  auto backend = Open(kBucket, server_->settings());
  ASSERT_NE(backend, nullptr);
  std::mt19937 rng(3);
  std::string bytes(300000, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  const std::string name = "packs/ab/odd name+=.pack";
  ASSERT_TRUE(backend->Save(name, bytes).ok());

  ASSERT_EQ(Aws("s3 ls --recursive s3://trail-test/packs/"), 0);
  EXPECT_NE(ReadFile(log_.File("aws.log")).value_or("").find("300000 " + name), std::string::npos)
      << ReadFile(log_.File("aws.log")).value_or("");
  ASSERT_EQ(Aws("s3 cp 's3://trail-test/" + name + "' " + log_.File("from-cli")), 0);
  EXPECT_TRUE(ReadFile(log_.File("from-cli")).value_or("") == bytes) << "aws s3 cp got other bytes";

  std::reverse(bytes.begin(), bytes.end());
  ASSERT_TRUE(WriteFileAtomic(log_.File("to-cli"), bytes, false).ok());
  ASSERT_EQ(Aws("s3 cp " + log_.File("to-cli") + " 's3://trail-test/index/up loaded+1.idx'"), 0);
  auto loaded = backend->Load("index/up loaded+1.idx");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(*loaded == bytes) << "Load got other bytes than aws s3 cp uploaded";
  EXPECT_EQ(backend->Load("index/up loaded+1.idx", 1000, 10).value_or(""), bytes.substr(1000, 10));
}

// Moves one pack-sized object each way and logs the throughput (no timing assertion: a loaded
// CI machine is slow, not wrong). Load/LoadFile must not be quadratic in the object size.
TEST_F(S3BackendTest, Moves64MiBPacksIntact) {
  auto backend = Open(kBucket, server_->settings());
  ASSERT_NE(backend, nullptr);
  std::string bytes(64 << 20, '\0');
  std::mt19937_64 rng(5);
  for (size_t i = 0; i < bytes.size(); i += 8) {
    uint64_t v = rng();
    std::memcpy(&bytes[i], &v, 8);
  }
  ASSERT_TRUE(WriteFileAtomic(log_.File("pack"), bytes, false).ok());
  auto mbps = [](std::chrono::steady_clock::duration d) { return 64.0 / std::chrono::duration<double>(d).count(); };

  auto t0 = std::chrono::steady_clock::now();
  Status saved = backend->SaveFile("packs/big.pack", log_.File("pack"));
  auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(saved.ok()) << saved.message();
  Status loaded = backend->LoadFile("packs/big.pack", log_.File("back"));
  auto t2 = std::chrono::steady_clock::now();
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  auto in_memory = backend->Load("packs/big.pack");
  auto t3 = std::chrono::steady_clock::now();
  ASSERT_TRUE(in_memory.ok()) << in_memory.status().message();
  EXPECT_TRUE(*in_memory == bytes);
  EXPECT_TRUE(ReadFile(log_.File("back")).value_or("") == bytes);

  std::printf("[ throughput ] 64 MiB against local s3rver: SaveFile %.0f MB/s, LoadFile %.0f MB/s, Load %.0f MB/s\n",
              mbps(t1 - t0), mbps(t2 - t1), mbps(t3 - t2));
  RecordProperty("save_file_mb_s", static_cast<int>(mbps(t1 - t0)));
  RecordProperty("load_file_mb_s", static_cast<int>(mbps(t2 - t1)));
  RecordProperty("load_mb_s", static_cast<int>(mbps(t3 - t2)));
}

// OpenBackend reads the process environment; this restores what it changes.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_F(S3BackendTest, OpenBackendUsesTheAwsEnvironment) {
  ScopedEnv id("AWS_ACCESS_KEY_ID", S3TestServer::kAccessKey),
      secret("AWS_SECRET_ACCESS_KEY", S3TestServer::kSecretKey),
      endpoint("AWS_ENDPOINT_URL", server_->endpoint().c_str()), endpoint_s3("AWS_ENDPOINT_URL_S3", nullptr),
      token("AWS_SESSION_TOKEN", nullptr), region("AWS_REGION", "us-east-1");
  auto backend = OpenBackend("s3://trail-test/team/store/");
  ASSERT_TRUE(backend.ok()) << backend.status().message();
  EXPECT_EQ((*backend)->Describe(), "s3://trail-test/team/store");
  ASSERT_TRUE((*backend)->Save("a", "b").ok());
  auto direct = Open(kBucket, server_->settings());
  EXPECT_EQ(direct->Load("team/store/a").value_or(""), "b");
}

TEST(S3OpenTest, MissingCredentialsAreInvalidArgument) {
  ScopedEnv id("AWS_ACCESS_KEY_ID", nullptr), secret("AWS_SECRET_ACCESS_KEY", nullptr), home("HOME", "/nonexistent"),
      creds("AWS_SHARED_CREDENTIALS_FILE", nullptr), config("AWS_CONFIG_FILE", nullptr);
  auto backend = OpenBackend("s3://bucket");
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), Code::kInvalidArgument);
  EXPECT_NE(backend.status().message().find("no AWS credentials"), std::string::npos) << backend.status().message();
  EXPECT_NE(backend.status().message().find("s3://bucket"), std::string::npos) << backend.status().message();
}

TEST(S3OpenTest, RejectsNonHttpEndpoints) {
  auto backend = S3Backend::Open("b", "", S3Settings{{"a", "b", ""}, "us-east-1", "ftp://host", nullptr});
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), Code::kInvalidArgument);
  EXPECT_NE(backend.status().message().find("ftp://host"), std::string::npos);
}

}  // namespace
}  // namespace trail::remote::testing
