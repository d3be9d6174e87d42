// The AWS credential chain, in the AWS CLI's order, and a provider that keeps temporary
// credentials fresh while a long push signs requests from many threads.
//
//   1. environment      AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//   2. assume role      the profile's role_arn with source_profile (a chain of profiles, loops
//                       refused), credential_source (Environment, Ec2InstanceMetadata,
//                       EcsContainer) or web_identity_token_file: STS AssumeRole(WithWebIdentity)
//   3. web identity     AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME)
//   4. SSO              the profile's sso_session / sso_start_url, from `aws sso login`'s cache
//   5. shared files     the profile's static keys (credentials file, then config file), then its
//                       credential_process
//   6. container        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI (ECS, EKS Pod Identity)
//   7. instance         EC2 instance metadata, IMDSv2 (AWS_EC2_METADATA_DISABLED=true skips it)
//
// A source that is configured and fails ends the chain with its error (as the AWS CLI does); one
// that is not configured, or an instance metadata service that does not answer, passes on.
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "remote/aws_config.h"
#include "remote/aws_credential_sources.h"

namespace trail::remote {

// The chain for `profile` ("default" when empty). InvalidArgument "no AWS credentials: ..." when
// no source has any.
StatusOr<ResolvedCredentials> ResolveAwsCredentials(const EnvLookup& env, const std::string& profile);

// The region the chain's services (STS) use for `profile`: AWS_REGION, AWS_DEFAULT_REGION, the
// profile's region, else us-east-1.
std::string ResolveAwsRegion(const EnvLookup& env, const std::string& profile);

// Hands out credentials, refreshing them `kRefreshMargin` seconds before they expire (AWS's own
// margin), so that no request is signed with keys about to lapse. Thread-safe: one caller
// refreshes while the others wait for it. When a refresh fails and the old credentials are still
// valid, they are used and the refresh is tried again at the next call.
class CredentialProvider {
 public:
  static constexpr std::time_t kRefreshMargin = 300;
  static constexpr std::time_t kRetryInterval = 10;
  using Resolver = std::function<StatusOr<ResolvedCredentials>()>;
  using Clock = std::function<std::time_t()>;

  CredentialProvider(
      ResolvedCredentials initial, Resolver refresh, Clock clock = [] { return std::time(nullptr); });

  StatusOr<AwsCredentials> Get();

 private:
  std::mutex mu_;
  ResolvedCredentials current_;
  Resolver refresh_;
  Clock clock_;
  std::time_t next_try_ = 0;
};

}  // namespace trail::remote
