// EC2 instance metadata, IMDSv2 only: PUT /latest/api/token for a session token, then the
// role's name and its credentials with that token. IMDSv1 (no token) is not used: an instance
// that requires v2 refuses it, and v1 is what SSRF attacks on metadata abuse.
#include <cctype>

#include "base/text.h"
#include "remote/aws_credential_sources.h"

namespace trail::remote {
namespace {

constexpr const char* kWhat = "credentials from instance metadata";
constexpr const char* kRolePath = "/latest/meta-data/iam/security-credentials/";

HttpRequest MetadataRequest(const std::string& method, const std::string& url) {
  HttpRequest r;
  r.method = method;
  r.url = url;
  r.no_proxy = true;
  // A laptop has no metadata service: the whole chain must give up within about a second.
  r.connect_timeout_ms = 500;
  r.timeout_ms = 1000;
  return r;
}

}  // namespace

SourceResult InstanceMetadataCredentials(const EnvLookup& env) {
  std::optional<std::string> disabled = env("AWS_EC2_METADATA_DISABLED");
  std::string flag(disabled ? Trim(*disabled) : std::string_view());
  for (char& c : flag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (flag == "true") return std::optional<ResolvedCredentials>();
  std::string endpoint = "http://169.254.169.254";
  if (std::optional<std::string> v = env("AWS_EC2_METADATA_SERVICE_ENDPOINT"); v && !v->empty()) {
    endpoint = CheckedEndpoint(*v);
    if (endpoint.empty())
      return InvalidArgument(std::string(kWhat) + ": AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http(s) URL");
  }

  HttpRequest token_request = MetadataRequest("PUT", endpoint + "/latest/api/token");
  token_request.headers.emplace_back("x-aws-ec2-metadata-token-ttl-seconds", "21600");
  StatusOr<HttpResponse> token = PerformSmall(token_request);
  // Nothing answering, or something that is not IMDSv2 (another cloud's metadata service):
  // not on EC2, so no credentials from here.
  if (!token.ok() || token->status != 200) return std::optional<ResolvedCredentials>();
  const std::string session(Trim(token->body));
  if (session.empty() || session.size() > 1024 || !SafeHeaderValue(session))
    return Corrupt(std::string(kWhat) + ": malformed session token");

  HttpRequest role_request = MetadataRequest("GET", endpoint + kRolePath);
  role_request.headers.emplace_back("x-aws-ec2-metadata-token", session);
  StatusOr<HttpResponse> role = PerformSmall(role_request);
  if (!role.ok()) return Status(role.status().code(), std::string(kWhat) + ": " + role.status().message());
  if (role->status == 404) return FailedPrecondition(std::string(kWhat) + ": this instance has no IAM role");
  if (role->status != 200)
    return FailedPrecondition(std::string(kWhat) + ": role name request answered " + std::to_string(role->status));
  std::string_view name = Trim(role->body);
  name = Trim(name.substr(0, name.find('\n')));
  if (!IsIamName(name)) return Corrupt(std::string(kWhat) + ": malformed role name");

  HttpRequest creds_request = MetadataRequest("GET", endpoint + kRolePath + std::string(name));
  creds_request.headers.emplace_back("x-aws-ec2-metadata-token", session);
  StatusOr<HttpResponse> creds = PerformSmall(creds_request);
  if (!creds.ok()) return Status(creds.status().code(), std::string(kWhat) + ": " + creds.status().message());
  if (creds->status != 200)
    return FailedPrecondition(std::string(kWhat) + ": credentials request answered " + std::to_string(creds->status));
  StatusOr<Json> answer = ParseJsonObject(creds->body);
  if (!answer.ok()) return Corrupt(std::string(kWhat) + ": " + answer.status().message());
  if (std::string code = JsonString(*answer, "Code"); !code.empty() && code != "Success")
    return FailedPrecondition(std::string(kWhat) + ": answer's Code is not Success");
  StatusOr<ResolvedCredentials> c =
      CredentialsFromJson(*answer, "AccessKeyId", "SecretAccessKey", "Token", "Expiration", true);
  if (!c.ok()) return Corrupt(std::string(kWhat) + ": " + c.status().message());
  c->source = "instance metadata";
  return std::optional<ResolvedCredentials>(std::move(*c));
}

}  // namespace trail::remote
