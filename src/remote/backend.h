// The Backend interface is public, for backend authors: its canonical definition is
// include/trail/sys/backend.h. The folder and S3 backends of this layer implement it.
#pragma once

#include <string>

#include "remote/aws_config.h"
#include "trail/sys/backend.h"

namespace trail::remote {

// A remote's own S3 settings (`trail remote modify NAME KEY VALUE`, docs/remotes.md). Each one
// given wins over the environment and the AWS files: `endpoint` over AWS_ENDPOINT_URL_S3 /
// AWS_ENDPOINT_URL / the profile's endpoint_url, `region` over AWS_REGION / AWS_DEFAULT_REGION /
// the profile's region, and `profile` over AWS_PROFILE. A remote that names a profile takes its
// credentials from that profile, not from AWS_ACCESS_KEY_ID & co (as `aws --profile` does).
struct BackendSettings {
  std::string endpoint;  // http(s)://host[:port][/path]
  std::string profile;
  std::string region;
};

// The keys BackendSettings has, for messages: "endpoint, profile, region".
const char* BackendSettingKeys();
// InvalidArgument, naming the problem, for an unknown key or a value it cannot be.
Status CheckBackendSetting(const std::string& key, const std::string& value);
// Sets `key` of `settings` (checked as above); an empty value unsets it.
Status SetBackendSetting(BackendSettings& settings, const std::string& key, const std::string& value);

// `env` as the S3 settings loader should see it for a remote with `settings`.
EnvLookup OverlaySettings(EnvLookup env, const BackendSettings& settings);

// OpenBackend with a remote's own settings. Settings on a folder remote are refused.
StatusOr<std::unique_ptr<Backend>> OpenBackend(const std::string& url, const BackendSettings& settings);

}  // namespace trail::remote
