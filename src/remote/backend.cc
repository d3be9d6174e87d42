#include "remote/backend.h"

#include "base/text.h"
#include "remote/aws_config.h"
#include "remote/folder_backend.h"
#include "remote/local_file.h"
#include "remote/s3_backend.h"

namespace trail::remote {

Status CheckName(const std::string& name) {
  auto bad = [&name](const char* why) { return InvalidArgument("bad file name \"" + name + "\": " + why); };
  if (name.empty()) return bad("empty");
  if (name.find('\0') != std::string::npos) return bad("contains NUL");
  if (name.front() == '/') return bad("not relative");
  if (IsTempName(name)) return bad("looks like a temp file");
  size_t start = 0;
  for (;;) {
    size_t slash = name.find('/', start);
    std::string_view segment = std::string_view(name).substr(start, slash == std::string::npos ? slash : slash - start);
    if (segment.empty()) return bad("empty path segment");
    if (segment == "." || segment == "..") return bad("\".\" or \"..\" segment");
    if (slash == std::string::npos) return Status::Ok();
    start = slash + 1;
  }
}

const char* BackendSettingKeys() { return "endpoint, profile, region"; }

Status CheckBackendSetting(const std::string& key, const std::string& value) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgument("bad " + key + " \"" + RedactUrlSecrets(value) + "\": " + why);
  };
  const auto all_of = [&value](auto allowed) {
    for (char c : value)
      if (!allowed(c)) return false;
    return value.size() <= 256;
  };
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (key == "endpoint") {
    if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0)
      return bad("use http://host[:port] or https://host[:port]");
    if (!all_of([](char c) { return c > ' ' && c < 0x7f; })) return bad("spaces or control characters");
    if (value.find('@') != std::string::npos) return bad("credentials do not belong in an endpoint");
    return Status::Ok();
  }
  if (key == "profile") {
    if (value.empty() || !all_of([&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.' || c == '@'; }))
      return bad("use letters, digits, '-', '_', '.' and '@'");
    return Status::Ok();
  }
  if (key == "region") {
    if (value.empty() || !all_of([&](char c) { return alnum(c) || c == '-'; }))
      return bad("use letters, digits and '-' (us-east-1)");
    return Status::Ok();
  }
  return InvalidArgument("unknown remote setting \"" + key + "\": use " + BackendSettingKeys());
}

Status SetBackendSetting(BackendSettings& settings, const std::string& key, const std::string& value) {
  if (!value.empty()) TRAIL_RETURN_IF_ERROR(CheckBackendSetting(key, value));
  if (key == "endpoint") {
    settings.endpoint = value;
  } else if (key == "profile") {
    settings.profile = value;
  } else if (key == "region") {
    settings.region = value;
  } else {
    return CheckBackendSetting(key, value);  // the unknown key's message
  }
  return Status::Ok();
}

EnvLookup OverlaySettings(EnvLookup env, const BackendSettings& s) {
  return [env = std::move(env), s](const std::string& name) -> std::optional<std::string> {
    if (!s.endpoint.empty() && (name == "AWS_ENDPOINT_URL_S3" || name == "AWS_ENDPOINT_URL")) return s.endpoint;
    if (!s.region.empty() && (name == "AWS_REGION" || name == "AWS_DEFAULT_REGION")) return s.region;
    if (!s.profile.empty()) {
      if (name == "AWS_PROFILE") return s.profile;
      // The profile's credentials, not the environment's static keys.
      if (name == "AWS_ACCESS_KEY_ID" || name == "AWS_SECRET_ACCESS_KEY" || name == "AWS_SESSION_TOKEN")
        return std::nullopt;
    }
    return env(name);
  };
}

StatusOr<std::unique_ptr<Backend>> OpenBackend(const std::string& url) { return OpenBackend(url, BackendSettings{}); }

StatusOr<std::unique_ptr<Backend>> OpenBackend(const std::string& url, const BackendSettings& remote_settings) {
  const std::string shown = RedactUrlSecrets(url);  // what messages may quote
  std::string path;
  if (url.rfind("file://", 0) == 0) {
    path = url.substr(7);
    if (path.empty() || path.front() != '/')
      return InvalidArgument("remote URL " + shown + ": file:// needs an absolute path (file:///abs/path)");
  } else if (!url.empty() && url.front() == '/') {
    path = url;
  }
  if (!path.empty()) {
    if (!remote_settings.endpoint.empty() || !remote_settings.profile.empty() || !remote_settings.region.empty())
      return InvalidArgument("remote URL " + shown +
                             " is a folder: endpoint, profile and region are for s3:// remotes");
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return std::unique_ptr<Backend>(std::make_unique<FolderBackend>(path));
  }

  if (url.rfind("s3://", 0) == 0) {
    std::string rest = url.substr(5);
    size_t slash = rest.find('/');
    std::string bucket = rest.substr(0, slash);
    std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (bucket.empty()) return InvalidArgument("remote URL " + shown + " has no bucket name (s3://bucket[/prefix])");
    // "s3://KEY:SECRET@bucket" would put the secret in remotes.yaml and every message naming it.
    if (bucket.find_first_of("@:") != std::string::npos)
      return InvalidArgument("remote URL " + shown +
                             ": credentials do not belong in an s3:// URL; use AWS_ACCESS_KEY_ID / "
                             "AWS_SECRET_ACCESS_KEY or ~/.aws/credentials");
    if (!prefix.empty() && !CheckName(prefix).ok())
      return InvalidArgument("remote URL " + shown + " has a malformed prefix");
    StatusOr<S3Settings> settings = LoadS3Settings(OverlaySettings(ProcessEnv(), remote_settings));
    if (!settings.ok()) return settings.status().WithContext("remote " + shown);
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<S3Backend> backend, S3Backend::Open(bucket, prefix, std::move(*settings)));
    return std::unique_ptr<Backend>(std::move(backend));
  }
  return InvalidArgument("remote URL " + shown +
                         " is not supported: use /abs/path, file:///abs/path or s3://bucket[/prefix]");
}

}  // namespace trail::remote
