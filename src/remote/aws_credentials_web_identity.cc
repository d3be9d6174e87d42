// Web identity (EKS IAM roles for service accounts): a token file the platform keeps fresh,
// exchanged for role credentials with STS AssumeRoleWithWebIdentity.
#include "remote/aws_credential_sources.h"

namespace trail::remote {

StatusOr<ResolvedCredentials> WebIdentity(const EnvLookup& env, const std::string& region,
                                          const std::string& token_file, const std::string& role_arn,
                                          const std::string& session_name) {
  const std::string what = "credentials from web identity token file";
  if (role_arn.empty()) return InvalidArgument(what + " " + token_file + ": no role ARN (AWS_ROLE_ARN or role_arn)");
  // Read at every refresh: the platform rotates the token in place (the file is often a symlink
  // into a projected volume, which the user's own setup created).
  StatusOr<std::string> token = ReadSmallFile(token_file);
  if (!token.ok()) return Status(token.status().code(), what + ": " + token.status().message());
  if (token->empty()) return InvalidArgument(what + " " + token_file + " is empty");
  AssumeRoleParams params;
  params.role_arn = role_arn;
  params.session_name = session_name;
  params.web_identity_token = *token;
  return StsAssumeRole(env, region, params, AwsCredentials{});
}

SourceResult WebIdentityFromEnv(const EnvLookup& env, const std::string& region) {
  std::optional<std::string> file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (!file || file->empty()) return std::optional<ResolvedCredentials>();
  std::optional<std::string> role = env("AWS_ROLE_ARN");
  std::optional<std::string> session = env("AWS_ROLE_SESSION_NAME");
  TRAIL_ASSIGN_OR_RETURN(ResolvedCredentials c,
                         WebIdentity(env, region, *file, role ? *role : "", session ? *session : ""));
  return std::optional<ResolvedCredentials>(std::move(c));
}

}  // namespace trail::remote
