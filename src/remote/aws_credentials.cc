#include "remote/aws_credentials.h"

#include <set>
#include <vector>

#include "base/files.h"

namespace trail::remote {
namespace {

using Section = std::map<std::string, std::string>;

// The two AWS files, read once per resolution. An absent or unreadable file is no error.
struct AwsFiles {
  std::string credentials_path;
  IniSections credentials, config;

  explicit AwsFiles(const EnvLookup& env) {
    const std::string home = EnvValue(env, "HOME");
    credentials_path = EnvValue(env, "AWS_SHARED_CREDENTIALS_FILE");
    if (credentials_path.empty() && !home.empty()) credentials_path = home + "/.aws/credentials";
    std::string config_path = EnvValue(env, "AWS_CONFIG_FILE");
    if (config_path.empty() && !home.empty()) config_path = home + "/.aws/config";
    if (StatusOr<std::string> text = ReadFile(credentials_path); !credentials_path.empty() && text.ok())
      credentials = ParseIni(*text);
    if (StatusOr<std::string> text = ReadFile(config_path); !config_path.empty() && text.ok()) config = ParseIni(*text);
  }

  // The credentials file names sections plainly; the config file says "profile NAME" except for
  // the default profile.
  Section CredentialsSection(const std::string& profile) const {
    auto it = credentials.find(profile);
    return it == credentials.end() ? Section{} : it->second;
  }
  Section ConfigSection(const std::string& profile) const {
    auto it = config.find(profile == "default" ? profile : "profile " + profile);
    return it == config.end() ? Section{} : it->second;
  }
  // Both, the credentials file winning (as botocore merges them).
  Section Merged(const std::string& profile) const {
    Section merged = ConfigSection(profile);
    for (const auto& [k, v] : CredentialsSection(profile)) merged[k] = v;
    return merged;
  }
  bool HasProfile(const std::string& profile) const {
    return credentials.count(profile) || config.count(profile == "default" ? profile : "profile " + profile);
  }
};

std::optional<ResolvedCredentials> EnvironmentKeys(const EnvLookup& env) {
  ResolvedCredentials c;
  c.credentials.access_key_id = EnvValue(env, "AWS_ACCESS_KEY_ID");
  c.credentials.secret_access_key = EnvValue(env, "AWS_SECRET_ACCESS_KEY");
  if (c.credentials.access_key_id.empty() || c.credentials.secret_access_key.empty()) return std::nullopt;
  c.credentials.session_token = EnvValue(env, "AWS_SESSION_TOKEN");
  c.source = "environment";
  return c;
}

std::optional<ResolvedCredentials> StaticKeys(const AwsFiles& files, const std::string& profile) {
  for (const Section& section : {files.CredentialsSection(profile), files.ConfigSection(profile)}) {
    ResolvedCredentials c;
    c.credentials.access_key_id = IniValue(section, "aws_access_key_id");
    c.credentials.secret_access_key = IniValue(section, "aws_secret_access_key");
    c.credentials.session_token = IniValue(section, "aws_session_token");
    c.source = "profile " + profile;
    if (!c.credentials.access_key_id.empty() && !c.credentials.secret_access_key.empty()) return c;
  }
  return std::nullopt;
}

class Chain {
 public:
  Chain(const EnvLookup& env, const std::string& profile) : env_(env), files_(env), profile_(profile) {
    region_ = ResolveAwsRegion(env, profile);
  }

  StatusOr<ResolvedCredentials> Resolve() {
    if (std::optional<ResolvedCredentials> c = EnvironmentKeys(env_)) return *c;
    const Section profile = files_.Merged(profile_);
    if (!IniValue(profile, "role_arn").empty()) {
      std::vector<std::string> path;
      return AssumeRoleOf(profile_, &path);
    }
    TRAIL_ASSIGN_OR_RETURN(std::optional<ResolvedCredentials> web, WebIdentityFromEnv(env_, region_));
    if (web) return *web;
    TRAIL_ASSIGN_OR_RETURN(std::optional<ResolvedCredentials> sso,
                           SsoCredentials(env_, profile, files_.config, std::time(nullptr)));
    if (sso) return *sso;
    if (std::optional<ResolvedCredentials> c = StaticKeys(files_, profile_)) return *c;
    if (const std::string process = IniValue(profile, "credential_process"); !process.empty())
      return ProcessCredentials(process);
    TRAIL_ASSIGN_OR_RETURN(std::optional<ResolvedCredentials> container, ContainerCredentials(env_));
    if (container) return *container;
    TRAIL_ASSIGN_OR_RETURN(std::optional<ResolvedCredentials> instance, InstanceMetadataCredentials(env_));
    if (instance) return *instance;
    return InvalidArgument(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put them in " +
        (files_.credentials_path.empty() ? std::string("~/.aws/credentials") : files_.credentials_path) + " under [" +
        profile_ + "] (or configure a role, SSO or credential_process there; no container or instance role answered)");
  }

 private:
  static constexpr size_t kMaxProfileChain = 8;

  // `name`'s role, assumed with its source's credentials. `path` holds the profiles above it.
  StatusOr<ResolvedCredentials> AssumeRoleOf(const std::string& name, std::vector<std::string>* path) {
    const Section profile = files_.Merged(name);
    path->push_back(name);
    const std::string role_arn = IniValue(profile, "role_arn");
    const std::string session_name = IniValue(profile, "role_session_name");
    if (const std::string token_file = IniValue(profile, "web_identity_token_file"); !token_file.empty())
      return Named(name, WebIdentity(env_, region_, token_file, role_arn, session_name));

    ResolvedCredentials source;
    const std::string source_profile = IniValue(profile, "source_profile");
    const std::string credential_source = IniValue(profile, "credential_source");
    if (!source_profile.empty() && !credential_source.empty())
      return InvalidArgument("profile " + name + " has both source_profile and credential_source: keep one");
    if (!source_profile.empty()) {
      TRAIL_ASSIGN_OR_RETURN(source, SourceProfile(source_profile, path));
    } else if (credential_source == "Environment") {
      std::optional<ResolvedCredentials> c = EnvironmentKeys(env_);
      if (!c)
        return InvalidArgument(
            "profile " + name +
            ": credential_source Environment, but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set");
      source = *c;
    } else if (credential_source == "Ec2InstanceMetadata" || credential_source == "EcsContainer") {
      const bool ec2 = credential_source == "Ec2InstanceMetadata";
      TRAIL_ASSIGN_OR_RETURN(std::optional<ResolvedCredentials> c,
                             ec2 ? InstanceMetadataCredentials(env_) : ContainerCredentials(env_));
      if (!c)
        return InvalidArgument("profile " + name + ": credential_source " + credential_source +
                               " has no credentials here");
      source = *c;
    } else if (!credential_source.empty()) {
      return InvalidArgument("profile " + name + ": unknown credential_source \"" + credential_source.substr(0, 50) +
                             "\" (use Environment, Ec2InstanceMetadata or EcsContainer)");
    } else {
      return InvalidArgument("profile " + name +
                             " has role_arn but no source_profile, credential_source or web_identity_token_file");
    }
    AssumeRoleParams params;
    params.role_arn = role_arn;
    params.session_name = session_name;
    params.external_id = IniValue(profile, "external_id");
    params.duration_seconds = IniValue(profile, "duration_seconds");
    return Named(name, StsAssumeRole(env_, region_, params, source.credentials));
  }

  // The credentials a source profile lends: its own role (a chain), else its static keys, its
  // credential_process or its SSO login.
  StatusOr<ResolvedCredentials> SourceProfile(const std::string& name, std::vector<std::string>* path) {
    const bool self = name == path->back();
    if (!self) {
      for (const std::string& seen : *path) {
        if (seen != name) continue;
        std::string loop;
        for (const std::string& p : *path) loop += p + " -> ";
        return InvalidArgument("profiles' source_profile form a loop: " + loop + name);
      }
    }
    if (path->size() >= kMaxProfileChain)
      return InvalidArgument("profile " + path->front() + ": source_profile chain longer than " +
                             std::to_string(kMaxProfileChain));
    if (!files_.HasProfile(name)) return InvalidArgument("source_profile " + name + " is not in the AWS files");
    const Section profile = files_.Merged(name);
    // A profile that is its own source lends its static keys (botocore's rule).
    if (!self && !IniValue(profile, "role_arn").empty()) return AssumeRoleOf(name, path);
    if (std::optional<ResolvedCredentials> c = StaticKeys(files_, name)) return *c;
    if (const std::string process = IniValue(profile, "credential_process"); !process.empty())
      return ProcessCredentials(process);
    TRAIL_ASSIGN_OR_RETURN(std::optional<ResolvedCredentials> sso,
                           SsoCredentials(env_, profile, files_.config, std::time(nullptr)));
    if (sso) return *sso;
    return InvalidArgument("source_profile " + name + " has no credentials");
  }

  static StatusOr<ResolvedCredentials> Named(const std::string& profile, StatusOr<ResolvedCredentials> c) {
    if (!c.ok()) return Status(c.status().code(), "profile " + profile + ": " + c.status().message());
    c->source = "profile " + profile + " (" + c->source + ")";
    return c;
  }

  const EnvLookup& env_;
  AwsFiles files_;
  std::string profile_, region_;
};

}  // namespace

std::string ResolveAwsRegion(const EnvLookup& env, const std::string& profile) {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (std::string v = EnvValue(env, name); !v.empty()) return v;
  }
  AwsFiles files(env);
  if (std::string v = IniValue(files.ConfigSection(profile.empty() ? "default" : profile), "region"); !v.empty())
    return v;
  return "us-east-1";
}

StatusOr<ResolvedCredentials> ResolveAwsCredentials(const EnvLookup& env, const std::string& profile) {
  return Chain(env, profile.empty() ? "default" : profile).Resolve();
}

CredentialProvider::CredentialProvider(ResolvedCredentials initial, Resolver refresh, Clock clock)
    : current_(std::move(initial)), refresh_(std::move(refresh)), clock_(std::move(clock)) {}

StatusOr<AwsCredentials> CredentialProvider::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!current_.expiration) return current_.credentials;
  const std::time_t now = clock_();
  if (now < *current_.expiration - kRefreshMargin) return current_.credentials;
  // Credentials that come back already inside the margin, or a source that is down, are not
  // asked again at every request: once per kRetryInterval while the old ones still work.
  if (now < next_try_ && now < *current_.expiration) return current_.credentials;
  next_try_ = now + kRetryInterval;
  StatusOr<ResolvedCredentials> fresh = refresh_();
  if (fresh.ok()) {
    current_ = std::move(*fresh);
    return current_.credentials;
  }
  if (now < *current_.expiration) return current_.credentials;
  return Status(fresh.status().code(), "credentials expired and cannot be refreshed: " + fresh.status().message());
}

}  // namespace trail::remote
