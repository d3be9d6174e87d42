// IAM Identity Center (SSO): the access token `aws sso login` cached, exchanged for role
// credentials at the portal's GetRoleCredentials. trail never logs in itself.
#include "base/text.h"
#include "remote/aws_credential_sources.h"
#include "remote/crypto.h"

namespace trail::remote {
namespace {}  // namespace

SourceResult SsoCredentials(const EnvLookup& env, const std::map<std::string, std::string>& profile,
                            const IniSections& config, std::time_t now) {
  const std::string what = "credentials from SSO";
  const std::string session_name = IniValue(profile, "sso_session");
  std::string start_url = IniValue(profile, "sso_start_url");
  std::string sso_region = IniValue(profile, "sso_region");
  if (session_name.empty() && start_url.empty()) return std::optional<ResolvedCredentials>();
  if (!session_name.empty()) {
    auto it = config.find("sso-session " + session_name);
    if (it == config.end())
      return InvalidArgument(what + ": the config file has no [sso-session " + session_name + "] section");
    if (start_url.empty()) start_url = IniValue(it->second, "sso_start_url");
    if (std::string r = IniValue(it->second, "sso_region"); !r.empty()) sso_region = r;
  }
  const std::string account = IniValue(profile, "sso_account_id");
  const std::string role = IniValue(profile, "sso_role_name");
  if (account.empty() || role.empty() || sso_region.empty())
    return InvalidArgument(what + ": the profile needs sso_account_id, sso_role_name and sso_region");
  if (!IsIamName(account) || !IsIamName(role) || !IsIamName(sso_region))
    return InvalidArgument(what + ": sso_account_id, sso_role_name or sso_region has characters it cannot have");

  // The cache file is named by the SHA-1 of the session name (sso-session profiles) or of the
  // start URL (legacy profiles), as the AWS CLI writes it.
  std::optional<std::string> home = env("HOME");
  const std::string key = session_name.empty() ? start_url : session_name;
  const std::string cache = (home ? *home : std::string()) + "/.aws/sso/cache/" + Sha1Hex(key) + ".json";
  const std::string login =
      "run aws sso login" + (session_name.empty() ? std::string() : " --sso-session " + session_name);
  StatusOr<std::string> text = ReadSmallFile(cache);
  if (!text.ok()) return FailedPrecondition(what + ": no cached login (" + cache + "): " + login);
  StatusOr<Json> token_json = ParseJsonObject(*text);
  if (!token_json.ok()) return Corrupt(what + ": " + cache + ": " + token_json.status().message());
  const std::string token = JsonString(*token_json, "accessToken");
  std::optional<std::time_t> expires = ParseIsoTime(JsonString(*token_json, "expiresAt"));
  if (token.empty() || !expires || !SafeHeaderValue(token))
    return Corrupt(what + ": " + cache + " has no accessToken or expiresAt");
  if (*expires <= now) return FailedPrecondition(what + ": the SSO login expired: " + login);

  TRAIL_ASSIGN_OR_RETURN(const std::string endpoint,
                         ServiceEndpoint(env, "SSO", what, "https://portal.sso." + sso_region + ".amazonaws.com"));
  HttpRequest request;
  request.method = "GET";
  request.url = endpoint + "/federation/credentials?account_id=" + UriEncode(account, false) +
                "&role_name=" + UriEncode(role, false);
  request.headers.emplace_back("x-amz-sso_bearer_token", token);
  StatusOr<HttpResponse> response = PerformSmall(request);
  if (!response.ok()) return Status(response.status().code(), what + ": " + response.status().message());
  if (response->status == 401 || response->status == 403)
    return FailedPrecondition(what + ": the portal refused the cached login (" + std::to_string(response->status) +
                              "): " + login);
  if (response->status != 200)
    return FailedPrecondition(what + ": GetRoleCredentials answered " + std::to_string(response->status));
  StatusOr<Json> answer = ParseJsonObject(response->body);
  if (!answer.ok()) return Corrupt(what + ": " + answer.status().message());
  auto it = answer->find("roleCredentials");
  if (it == answer->end() || !it->is_object()) return Corrupt(what + ": answer has no roleCredentials");
  StatusOr<ResolvedCredentials> c =
      CredentialsFromJson(*it, "accessKeyId", "secretAccessKey", "sessionToken", "", /*expiration_required=*/false);
  if (!c.ok()) return Corrupt(what + ": " + c.status().message());
  // The portal gives the expiration in milliseconds since the epoch.
  auto ms = it->find("expiration");
  if (ms == it->end() || !ms->is_number_integer() || ms->get<int64_t>() <= 0)
    return Corrupt(what + ": answer has no expiration");
  c->expiration = static_cast<std::time_t>(ms->get<int64_t>() / 1000);
  c->source = "SSO " + account + "/" + role;
  return std::optional<ResolvedCredentials>(std::move(*c));
}

}  // namespace trail::remote
