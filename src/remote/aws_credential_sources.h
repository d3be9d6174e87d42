// The sources of the AWS credential chain (aws_credentials.h), one file each, and what they
// share: bounded HTTP exchanges, strict JSON, ISO 8601 times. Internal to remote/.
//
// Every answer these functions read comes from outside (a metadata service, STS, the SSO portal,
// a program's output): it is size-bounded, parsed strictly, and a failure is one line that names
// the source ("credentials from instance metadata: ...") and never quotes a secret.
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "remote/aws_config.h"
#include "remote/http_client.h"
#include "remote/sigv4.h"
#include "trail/json.h"
#include "trail/status.h"

namespace trail::remote {

// Credentials and when they stop working (nullopt: never, as static keys).
struct ResolvedCredentials {
  AwsCredentials credentials;
  std::optional<std::time_t> expiration;
  std::string source;  // "environment", "profile dev (assume role ...)", "instance metadata", ...
};

// Absent: the source is not configured here, so the chain goes on. A Status is an error of a
// configured source, and ends the chain (as the AWS CLI does).
using SourceResult = StatusOr<std::optional<ResolvedCredentials>>;

// --- shared helpers (aws_credentials_common.cc) ---

// The most bytes any credential answer may have.
inline constexpr size_t kMaxCredentialAnswer = 64 * 1024;

// `text` as a JSON object: at most kMaxCredentialAnswer bytes, nesting at most 16 deep.
// The message says what is wrong, without quoting the text.
StatusOr<Json> ParseJsonObject(std::string_view text);
// A string member, or "" when absent or not a string.
std::string JsonString(const Json& object, const char* key);
// "2026-12-07T13:00:00Z", with optional fractional seconds and "Z", "+00:00" or " UTC".
std::optional<std::time_t> ParseIsoTime(std::string_view text);
// The credentials in a JSON answer with the members named `id`, `secret`, `token` and
// `expiration` (an ISO 8601 time; may be absent when `expiration_required` is false).
StatusOr<ResolvedCredentials> CredentialsFromJson(const Json& object, const char* id, const char* secret,
                                                  const char* token, const char* expiration, bool expiration_required);
// A small file the user configured (a token file): at most kMaxCredentialAnswer bytes, trimmed.
StatusOr<std::string> ReadSmallFile(const std::string& path);
// A header value from a file or variable: no CR, LF or NUL (they would forge headers).
bool SafeHeaderValue(std::string_view value);
// One exchange with a credential service: timeouts and the body bound of `request` default to
// 5 s and kMaxCredentialAnswer when unset.
StatusOr<HttpResponse> PerformSmall(HttpRequest request);
// `url` without trailing '/' when it is an http(s) URL without user, password or spaces; else "".
std::string CheckedEndpoint(const std::string& url);
// A service's endpoint: AWS_ENDPOINT_URL_<service> (service "STS", "SSO"), else AWS_ENDPOINT_URL,
// else `fallback`. InvalidArgument, prefixed with `what`, for a variable that is not a URL.
StatusOr<std::string> ServiceEndpoint(const EnvLookup& env, const std::string& service, const std::string& what,
                                      const std::string& fallback);
// An IAM-style name (a role, an account, a region): 1 to `max` of A-Z a-z 0-9 and + = , . @ _ -.
bool IsIamName(std::string_view s, size_t max = 128);
// Keys as a server may hand them out: no spaces, line breaks or NULs, at most 8 KiB each.
bool WellFormedKeys(const AwsCredentials& c);

// --- the sources ---

// STS (aws_credentials_sts.cc). `region` picks the regional endpoint
// https://sts.<region>.amazonaws.com, unless AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL says otherwise.
struct AssumeRoleParams {
  std::string role_arn;
  std::string session_name;
  std::string external_id;         // optional
  std::string duration_seconds;    // optional, digits
  std::string web_identity_token;  // AssumeRoleWithWebIdentity when set (unsigned)
};
StatusOr<ResolvedCredentials> StsAssumeRole(const EnvLookup& env, const std::string& region,
                                            const AssumeRoleParams& params, const AwsCredentials& source);

// Web identity from AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (aws_credentials_web_identity.cc).
SourceResult WebIdentityFromEnv(const EnvLookup& env, const std::string& region);
// A web identity token file with its role, from a profile or the environment.
StatusOr<ResolvedCredentials> WebIdentity(const EnvLookup& env, const std::string& region,
                                          const std::string& token_file, const std::string& role_arn,
                                          const std::string& session_name);

// SSO (aws_credentials_sso.cc): `profile` is the profile's merged keys, `config` the config
// file's "sso-session NAME" sections. `now` decides whether the cached token expired.
SourceResult SsoCredentials(const EnvLookup& env, const std::map<std::string, std::string>& profile,
                            const IniSections& config, std::time_t now);

// credential_process (aws_credentials_process.cc): runs `command` (split into words, no shell)
// and reads its JSON answer; `timeout_ms` bounds the whole run.
StatusOr<ResolvedCredentials> ProcessCredentials(const std::string& command, int timeout_ms = 60000);

// ECS container credentials (aws_credentials_ecs.cc): absent unless
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI is set.
SourceResult ContainerCredentials(const EnvLookup& env);

// EC2 instance metadata, IMDSv2 (aws_credentials_imds.cc): absent when disabled, or when nothing
// answers (within about a second: a laptop has no metadata service).
SourceResult InstanceMetadataCredentials(const EnvLookup& env);

}  // namespace trail::remote
