// Pinned to the worked examples of AWS's "Signature Calculations for the Authorization Header"
// page (sig-v4-header-based-auth.html): same keys, time and requests, same signatures.
#include "remote/sigv4.h"

#include <gtest/gtest.h>

#include "remote/crypto.h"

namespace trail::remote {
namespace {

const AwsCredentials kExampleCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr std::time_t k20130524 = 1369353600;  // 2013-05-24T00:00:00Z
constexpr const char* kHost = "examplebucket.s3.amazonaws.com";

std::string SignatureOf(const std::string& authorization) {
  return authorization.substr(authorization.find("Signature=") + 10);
}

TEST(SigV4Test, AmzDateIsUtcBasicFormat) { EXPECT_EQ(AmzDate(k20130524), "20130524T000000Z"); }

TEST(SigV4Test, GetObjectExample) {
  SigV4Request r{"GET", "/test.txt", {}, {{"Host", kHost}, {"Range", "bytes=0-9"}}, std::string(kEmptyPayloadHash)};
  std::string authorization = SignV4(&r, kExampleCredentials, "us-east-1", "s3", k20130524);
  EXPECT_EQ(authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  std::string signed_headers;
  EXPECT_EQ(Sha256Hex(CanonicalRequest(r, &signed_headers)),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
}

TEST(SigV4Test, PutObjectExampleEncodesTheKey) {
  const std::string body = "Welcome to Amazon S3.";
  ASSERT_EQ(Sha256Hex(body), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Request r{
      "PUT",
      "/" + UriEncode("test$file.text", true),
      {},
      {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"Host", kHost}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
      Sha256Hex(body)};
  EXPECT_EQ(r.canonical_uri, "/test%24file.text");
  EXPECT_EQ(SignatureOf(SignV4(&r, kExampleCredentials, "us-east-1", "s3", k20130524)),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4Test, GetBucketLifecycleExampleSignsAnEmptyQueryValue) {
  SigV4Request r{"GET", "/", {{"lifecycle", ""}}, {{"host", kHost}}, std::string(kEmptyPayloadHash)};
  EXPECT_EQ(SignatureOf(SignV4(&r, kExampleCredentials, "us-east-1", "s3", k20130524)),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4Test, ListObjectsExampleSortsTheQuery) {
  SigV4Request r{"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, {{"host", kHost}}, std::string(kEmptyPayloadHash)};
  EXPECT_EQ(SignatureOf(SignV4(&r, kExampleCredentials, "us-east-1", "s3", k20130524)),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Test, SessionTokenIsSentAndSigned) {
  AwsCredentials temporary = kExampleCredentials;
  temporary.session_token = "TOKEN";
  SigV4Request r{"GET", "/", {}, {{"host", kHost}}, std::string(kEmptyPayloadHash)};
  std::string authorization = SignV4(&r, temporary, "us-east-1", "s3", k20130524);
  EXPECT_NE(authorization.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  EXPECT_EQ(r.headers.back(), (std::pair<std::string, std::string>{"x-amz-security-token", "TOKEN"}));
}

TEST(SigV4Test, UriEncodeFollowsAwsRules) {
  EXPECT_EQ(UriEncode("a+b=c d/e~f_g-h.i", true), "a%2Bb%3Dc%20d/e~f_g-h.i");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("caf\xc3\xa9", true), "caf%C3%A9");
  EXPECT_EQ(UriEncode(std::string("\0*", 2), true), "%00%2A");
}

TEST(SigV4Test, CanonicalQueryEncodesNamesAndValues) {
  EXPECT_EQ(CanonicalQueryString({{"prefix", "a b/c"}, {"list-type", "2"}, {"continuation-token", "x+y="}}),
            "continuation-token=x%2By%3D&list-type=2&prefix=a%20b%2Fc");
}

TEST(CryptoTest, HmacMatchesRfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace trail::remote
