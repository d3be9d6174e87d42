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

StatusOr<std::unique_ptr<Backend>> OpenBackend(const std::string& url) {
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
    StatusOr<S3Settings> settings = LoadS3Settings(ProcessEnv());
    if (!settings.ok()) return settings.status().WithContext("remote " + shown);
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<S3Backend> backend, S3Backend::Open(bucket, prefix, std::move(*settings)));
    return std::unique_ptr<Backend>(std::move(backend));
  }
  return InvalidArgument("remote URL " + shown +
                         " is not supported: use /abs/path, file:///abs/path or s3://bucket[/prefix]");
}

}  // namespace trail::remote
