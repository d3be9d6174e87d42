// AWS Signature Version 4 for S3 requests (header-based signing).
//
// The spec: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html.
// Pure functions of their inputs (the time is a parameter), so the documented example vectors
// pin them down exactly in sigv4_test.cc.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trail::remote {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

// Percent-encodes every byte except A-Z a-z 0-9 - . _ ~ (and '/', when keep_slash), with
// upper-case hex: AWS's UriEncode. S3 object keys are encoded with keep_slash and exactly once.
std::string UriEncode(std::string_view s, bool keep_slash);

// "UNSIGNED-PAYLOAD" is also accepted by S3 as a payload hash; we always hash.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct SigV4Request {
  std::string method;                                        // "GET", "PUT", ...
  std::string canonical_uri;                                 // already UriEncode'd path, e.g. "/bucket/a%20b"
  std::vector<std::pair<std::string, std::string>> query;    // raw (unencoded) names and values
  std::vector<std::pair<std::string, std::string>> headers;  // must include "host"; all are signed
  std::string payload_hash;                                  // hex SHA-256 of the body
};

// "20130524T000000Z" for the UTC time `t`.
std::string AmzDate(std::time_t t);

// Adds x-amz-date, x-amz-content-sha256 (and x-amz-security-token with temporary credentials)
// to request->headers and returns the value of the Authorization header for it.
std::string SignV4(SigV4Request* request, const AwsCredentials& credentials, const std::string& region,
                   const std::string& service, std::time_t now);

// The pieces, exposed so that the tests can compare them with the documented intermediate values.
std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query);
std::string CanonicalRequest(const SigV4Request& request, std::string* signed_headers);
std::string SigningKey(const std::string& secret, const std::string& date, const std::string& region,
                       const std::string& service);

}  // namespace trail::remote
