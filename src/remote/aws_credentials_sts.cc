// STS AssumeRole (SigV4-signed with the source credentials) and AssumeRoleWithWebIdentity
// (unsigned: the token is the proof), over STS's query API as a form POST.
#include <ctime>

#include "base/text.h"
#include "remote/aws_credential_sources.h"
#include "remote/crypto.h"
#include "remote/s3_xml.h"

namespace trail::remote {
namespace {

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += UriEncode(name, false) + "=" + UriEncode(value, false);
  }
  return out;
}

}  // namespace

StatusOr<ResolvedCredentials> StsAssumeRole(const EnvLookup& env, const std::string& region,
                                            const AssumeRoleParams& params, const AwsCredentials& source) {
  const bool web = !params.web_identity_token.empty();
  const std::string what = web ? "credentials from STS AssumeRoleWithWebIdentity" : "credentials from STS AssumeRole";
  if (params.role_arn.rfind("arn:", 0) != 0 || params.role_arn.size() > 2048)
    return InvalidArgument(what + ": role_arn \"" + params.role_arn.substr(0, 100) + "\" is not an ARN");
  for (char c : params.duration_seconds) {
    if (c < '0' || c > '9') return InvalidArgument(what + ": duration_seconds must be a number of seconds");
  }

  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return InvalidArgument(what + ": region \"" + region.substr(0, 50) + "\" is not a region name");
  }
  TRAIL_ASSIGN_OR_RETURN(const std::string endpoint,
                         ServiceEndpoint(env, "STS", what, "https://sts." + region + ".amazonaws.com"));
  const size_t host_start = endpoint.find("://") + 3;
  const size_t path_start = endpoint.find('/', host_start);
  const std::string host = endpoint.substr(host_start, path_start - host_start);
  // The endpoint's own path (a test server's prefix) is sent and signed as it is: CheckedEndpoint
  // let through only printable characters.
  const std::string path = path_start == std::string::npos ? "/" : endpoint.substr(path_start) + "/";

  std::vector<std::pair<std::string, std::string>> fields = {
      {"Action", web ? "AssumeRoleWithWebIdentity" : "AssumeRole"},
      {"Version", "2011-06-15"},
      {"RoleArn", params.role_arn},
      {"RoleSessionName",
       params.session_name.empty() ? "trail-" + std::to_string(std::time(nullptr)) : params.session_name}};
  if (!params.external_id.empty() && !web) fields.emplace_back("ExternalId", params.external_id);
  if (!params.duration_seconds.empty()) fields.emplace_back("DurationSeconds", params.duration_seconds);
  if (web) fields.emplace_back("WebIdentityToken", params.web_identity_token);
  const std::string body = FormEncode(fields);

  HttpRequest request;
  request.method = "POST";
  request.url = endpoint.substr(0, path_start) + path;
  request.body = body;
  request.headers.emplace_back("content-type", "application/x-www-form-urlencoded; charset=utf-8");
  if (!web) {
    SigV4Request signing{"POST", path, {}, request.headers, Sha256Hex(body)};
    signing.headers.emplace_back("host", host);
    std::string authorization = SignV4(&signing, source, region, "sts", std::time(nullptr));
    request.headers = signing.headers;
    request.headers.emplace_back("authorization", std::move(authorization));
  }
  StatusOr<HttpResponse> response = PerformSmall(request);
  if (!response.ok()) return Status(response.status().code(), what + ": " + response.status().message());
  if (response->status != 200) {
    S3Error error = ParseS3Error(response->body);  // STS's <ErrorResponse><Error><Code>... is the same shape
    std::string message = what + ": " + std::to_string(response->status) + " " +
                          (error.code.empty() ? std::string("error") : error.code.substr(0, 100));
    if (!error.message.empty()) message += ": " + error.message.substr(0, 300);
    return FailedPrecondition(message);
  }
  const std::string xml = XmlElement(response->body, "Credentials");
  ResolvedCredentials out;
  out.credentials.access_key_id = XmlElement(xml, "AccessKeyId");
  out.credentials.secret_access_key = XmlElement(xml, "SecretAccessKey");
  out.credentials.session_token = XmlElement(xml, "SessionToken");
  out.expiration = ParseIsoTime(XmlElement(xml, "Expiration"));
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty() ||
      out.credentials.session_token.empty() || !out.expiration) {
    return Corrupt(what + ": answer lacks AccessKeyId, SecretAccessKey, SessionToken or Expiration");
  }
  if (!WellFormedKeys(out.credentials)) return Corrupt(what + ": answer has a malformed key");
  out.source = web ? "web identity " + params.role_arn : "assume role " + params.role_arn;
  return out;
}

}  // namespace trail::remote
