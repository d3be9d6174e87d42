// ECS (and EKS Pod Identity) container credentials: the agent's endpoint named by
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on 169.254.170.2) or _FULL_URI, with the
// authorization token from AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE.
#include "remote/aws_credential_sources.h"

namespace trail::remote {
namespace {

// A full URI may name only https, or http to a loopback address or the container agents' own
// link-local ones: anything else would hand the authorization token to a stranger.
bool AllowedFullUri(const std::string& url) {
  if (url.rfind("https://", 0) == 0) return true;
  if (url.rfind("http://", 0) != 0) return false;
  std::string host = url.substr(7);
  host = host.substr(0, host.find('/'));
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
    return host == "[::1]" || host == "[fd00:ec2::23]";
  }
  host = host.substr(0, host.find(':'));
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "169.254.170.2" || host == "169.254.170.23";
}

}  // namespace

SourceResult ContainerCredentials(const EnvLookup& env) {
  const std::string what = "credentials from the container (ECS)";
  auto get = [&env](const char* name) {
    std::optional<std::string> v = env(name);
    return v ? *v : std::string();
  };
  const std::string relative = get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const std::string full = get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (relative.empty() && full.empty()) return std::optional<ResolvedCredentials>();
  std::string url;
  if (!relative.empty()) {
    if (relative.front() != '/' || !CheckedEndpoint("http://x" + relative).size())
      return InvalidArgument(what + ": AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a path");
    url = "http://169.254.170.2" + relative;
  } else {
    url = CheckedEndpoint(full);
    if (url.empty() || !AllowedFullUri(url))
      return InvalidArgument(what +
                             ": AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address");
  }
  std::string token = get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  if (const std::string file = get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); !file.empty()) {
    StatusOr<std::string> t = ReadSmallFile(file);
    if (!t.ok()) return Status(t.status().code(), what + ": " + t.status().message());
    token = *t;
  }
  if (!SafeHeaderValue(token)) return InvalidArgument(what + ": the authorization token has a line break");

  HttpRequest request;
  request.method = "GET";
  request.url = url;
  request.no_proxy = true;
  request.connect_timeout_ms = 2000;
  if (!token.empty()) request.headers.emplace_back("authorization", token);
  StatusOr<HttpResponse> response = PerformSmall(request);
  if (!response.ok()) return Status(response.status().code(), what + ": " + response.status().message());
  if (response->status != 200) return FailedPrecondition(what + ": answered " + std::to_string(response->status));
  StatusOr<Json> answer = ParseJsonObject(response->body);
  if (!answer.ok()) return Corrupt(what + ": " + answer.status().message());
  StatusOr<ResolvedCredentials> c =
      CredentialsFromJson(*answer, "AccessKeyId", "SecretAccessKey", "Token", "Expiration", false);
  if (!c.ok()) return Corrupt(what + ": " + c.status().message());
  c->source = "container";
  return std::optional<ResolvedCredentials>(std::move(*c));
}

}  // namespace trail::remote
