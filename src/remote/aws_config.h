// Where S3 credentials, region and endpoint come from: the same places, in the same order, as
// the AWS CLI looks, so a machine set up for `aws s3` works for trail unchanged.
//
//   credentials  the AWS CLI's chain (aws_credentials.h): the environment, the profile's role,
//                web identity, SSO, the profile's static keys or credential_process (in
//                AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials, and the config file), the
//                container's, the instance's
//   profile      AWS_PROFILE, else "default"
//   region       AWS_REGION, AWS_DEFAULT_REGION, the config file's `region`, else us-east-1
//   endpoint     AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the config file's `endpoint_url`, else AWS
//   config file  AWS_CONFIG_FILE (~/.aws/config): sections "[default]" and "[profile NAME]"
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "remote/sigv4.h"
#include "trail/status.h"

namespace trail::remote {

// Looks up an environment variable; injected so tests do not depend on the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();

class CredentialProvider;  // aws_credentials.h

struct S3Settings {
  AwsCredentials credentials;
  std::string region;
  std::string endpoint;  // "http://127.0.0.1:4568"; empty means AWS itself
  // Set when the credentials expire: the backend asks it for fresh ones at every request, and
  // `credentials` are then only the first ones.
  std::shared_ptr<CredentialProvider> provider;
};

// InvalidArgument "no AWS credentials: ..." when none are found anywhere; a configured source
// that fails is its own error (aws_credentials.h).
StatusOr<S3Settings> LoadS3Settings(const EnvLookup& env);

// section -> key -> value. Tolerates spaces around '=' and names, blank lines, and '#'/';'
// comment lines; keys are lower-cased; a later duplicate wins. Indented lines (the config
// file's nested "s3 =" blocks) are ignored.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
IniSections ParseIni(std::string_view text);
// A section's value for `key`, "" when absent.
std::string IniValue(const std::map<std::string, std::string>& section, const std::string& key);
// An environment variable's value, "" when unset.
std::string EnvValue(const EnvLookup& env, const std::string& name);

}  // namespace trail::remote
