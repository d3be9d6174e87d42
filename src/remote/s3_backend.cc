#include "remote/s3_backend.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <thread>

#include "base/errors.h"
#include "base/files.h"
#include "base/text.h"
#include "remote/aws_credentials.h"
#include "remote/crypto.h"
#include "remote/local_file.h"
#include "remote/s3_xml.h"
#include "remote/sigv4.h"

namespace trail::remote {
namespace {

constexpr int kTries = 3;

const char* ReasonPhrase(long status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 416:
      return "Range Not Satisfiable";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "HTTP error";
  }
}

bool Is2xx(const HttpResponse& r) { return r.status / 100 == 2; }

}  // namespace

StatusOr<std::unique_ptr<S3Backend>> S3Backend::Open(const std::string& bucket, const std::string& prefix,
                                                     S3Settings settings) {
  if (bucket.empty()) return InvalidArgument("s3:// URL without a bucket name");
  std::string scheme = "https", host, base_path;
  if (settings.endpoint.empty()) {
    host = bucket + ".s3." + settings.region + ".amazonaws.com";
  } else {
    const std::string& e = settings.endpoint;
    size_t sep = e.find("://");
    scheme = sep == std::string::npos ? "" : e.substr(0, sep);
    if (scheme != "http" && scheme != "https") {
      return InvalidArgument("S3 endpoint " + RedactUrlSecrets(e) + " is not an http:// or https:// URL");
    }
    std::string rest = e.substr(sep + 3);
    size_t slash = rest.find('/');
    host = rest.substr(0, slash);
    if (slash != std::string::npos) base_path = rest.substr(slash);
    while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
    if (host.empty()) return InvalidArgument("S3 endpoint " + RedactUrlSecrets(e) + " has no host");
  }
  return std::unique_ptr<S3Backend>(
      new S3Backend(bucket, prefix, std::move(settings), std::move(scheme), std::move(host), std::move(base_path)));
}

S3Backend::S3Backend(std::string bucket, std::string prefix, S3Settings settings, std::string scheme, std::string host,
                     std::string base_path)
    : bucket_(std::move(bucket)),
      prefix_(std::move(prefix)),
      settings_(std::move(settings)),
      scheme_(std::move(scheme)),
      host_(std::move(host)),
      base_path_(std::move(base_path)),
      virtual_host_(settings_.endpoint.empty()) {}

std::string S3Backend::Describe() const { return "s3://" + bucket_ + (prefix_.empty() ? "" : "/" + prefix_); }

std::string S3Backend::UrlOf(const std::string& key) const {
  return "s3://" + bucket_ + (key.empty() ? "" : "/" + key);
}

StatusOr<HttpResponse> S3Backend::Send(HttpRequest request, const std::string& key,
                                       const std::vector<std::pair<std::string, std::string>>& query,
                                       const std::string& payload_hash, const std::function<Status()>& before_retry) {
  // The path is encoded once, segment by segment, and the same bytes are signed and sent:
  // S3 compares the signature over exactly what arrives.
  std::string path = virtual_host_ ? "" : base_path_ + "/" + UriEncode(bucket_, false);
  if (!key.empty() || virtual_host_) path += "/" + UriEncode(key, true);
  const std::string query_string = CanonicalQueryString(query);
  request.url = scheme_ + "://" + host_ + path + (query_string.empty() ? "" : "?" + query_string);
  const auto base_headers = request.headers;

  for (int attempt = 1;; ++attempt) {
    // Asked at every attempt: a long push outlives temporary credentials, and the provider
    // refreshes them ahead of their expiry.
    AwsCredentials credentials = settings_.credentials;
    if (settings_.provider) {
      StatusOr<AwsCredentials> fresh = settings_.provider->Get();
      if (!fresh.ok()) return Status(fresh.status().code(), UrlOf(key) + ": " + fresh.status().message());
      credentials = std::move(*fresh);
    }
    SigV4Request signing{request.method, path, query, base_headers, payload_hash};
    signing.headers.emplace_back("host", host_);
    std::string authorization = SignV4(&signing, credentials, settings_.region, "s3", std::time(nullptr));
    request.headers = signing.headers;
    request.headers.emplace_back("authorization", std::move(authorization));

    StatusOr<HttpResponse> response = Perform(request);
    const bool transient = !response.ok() || response->status / 100 == 5;
    if (!transient || attempt == kTries) {
      if (!response.ok()) {
        return Status(response.status().code(), UrlOf(key) + ": " + response.status().message() + " (after " +
                                                    std::to_string(kTries) + " tries)");
      }
      return response;
    }
    // 250 ms, then 1 s: long enough for a restarting server or a throttled bucket to recover.
    std::this_thread::sleep_for(std::chrono::milliseconds(250 << (2 * (attempt - 1))));
    if (before_retry) TRAIL_RETURN_IF_ERROR(before_retry());
  }
}

Status S3Backend::ErrorFor(const HttpResponse& response, const std::string& key) const {
  S3Error error = ParseS3Error(response.body);
  std::string message = UrlOf(key) + ": " + std::to_string(response.status) + " ";
  message += error.code.empty() ? ReasonPhrase(response.status) : error.code;
  if (!error.message.empty()) message += ": " + error.message;
  // A missing bucket is a setup problem, not an absent file: callers that treat NotFound as
  // "nothing stored yet" must not read a mistyped bucket as an empty remote.
  if (error.code == "NoSuchBucket") return FailedPrecondition(message);
  if (response.status == 404) return NotFound(message);
  if (response.status == 401 || response.status == 403) return FailedPrecondition(message);
  return IoError(message);
}

Status S3Backend::Save(const std::string& name, std::string_view bytes) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  HttpRequest request;
  request.method = "PUT";
  request.body = bytes;
  TRAIL_ASSIGN_OR_RETURN(HttpResponse response, Send(request, KeyOf(name), {}, Sha256Hex(bytes)));
  return Is2xx(response) ? Status::Ok() : ErrorFor(response, KeyOf(name));
}

Status S3Backend::SaveFile(const std::string& name, const std::string& local_path, const ProgressFn& progress) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  ScopedFd in{::open(local_path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return ErrnoError("cannot open", local_path);
  struct stat st;
  if (::fstat(in.fd, &st) != 0) return ErrnoError("cannot stat", local_path);
  // Hashing first costs a read of the file, but S3 then refuses any upload whose bytes differ
  // from what we hashed (a file changing under us, a corrupting proxy).
  Sha256 hash;
  auto buf = std::make_unique<char[]>(kCopyChunk);
  uint64_t size = 0;
  for (;;) {
    ssize_t n = ::pread(in.fd, buf.get(), kCopyChunk, static_cast<off_t>(size));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read", local_path);
    if (n == 0) break;
    hash.Update(std::string_view(buf.get(), static_cast<size_t>(n)));
    size += static_cast<uint64_t>(n);
  }
  HttpRequest request;
  request.method = "PUT";
  request.upload_fd = in.fd;
  request.upload_size = size;
  request.progress = &progress;
  TRAIL_ASSIGN_OR_RETURN(HttpResponse response, Send(request, KeyOf(name), {}, ToHex(hash.Final())));
  return Is2xx(response) ? Status::Ok() : ErrorFor(response, KeyOf(name));
}

StatusOr<std::string> S3Backend::Load(const std::string& name, uint64_t offset, uint64_t length) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  HttpRequest request;
  request.method = "GET";
  const bool ranged = offset != 0 || length != 0;
  if (ranged) {
    std::string range = "bytes=" + std::to_string(offset) + "-";
    if (length != 0) range += std::to_string(offset + length - 1);
    request.headers.emplace_back("range", range);
  }
  TRAIL_ASSIGN_OR_RETURN(HttpResponse response, Send(request, KeyOf(name), {}, std::string(kEmptyPayloadHash)));
  // 416: the object exists (else 404) but the range starts at or past its end.
  if (ranged && response.status == 416) return std::string();
  if (!Is2xx(response)) return ErrorFor(response, KeyOf(name));
  std::string& body = response.body;
  if (ranged && response.status == 200) {
    // A server that ignores Range sends the whole object; cut the range out ourselves.
    if (offset >= body.size()) return std::string();
    return body.substr(offset, length == 0 ? std::string::npos : length);
  }
  if (ranged) {
    // Trust the range the server says it sent, not the one we asked for: s3rver answers
    // "bytes=0-0" with the whole object (and says so in Content-Range).
    uint64_t start = 0;
    if (std::sscanf(response.content_range.c_str(), "bytes %" SCNu64 "-", &start) != 1 || start != offset) {
      return IoError(UrlOf(KeyOf(name)) + ": asked for bytes from " + std::to_string(offset) +
                     ", got Content-Range \"" + response.content_range + "\"");
    }
    if (length != 0 && body.size() > length) body.resize(length);
  }
  return std::move(body);
}

Status S3Backend::LoadFile(const std::string& name, const std::string& local_path, const ProgressFn& progress) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  TRAIL_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(local_path, /*make_parents=*/false));
  HttpRequest request;
  request.method = "GET";
  request.download_fd = file.fd();
  request.progress = &progress;
  TRAIL_ASSIGN_OR_RETURN(HttpResponse response, Send(request, KeyOf(name), {}, std::string(kEmptyPayloadHash),
                                                     [&file] { return file.Truncate(); }));
  if (!Is2xx(response)) return ErrorFor(response, KeyOf(name));
  return file.Commit();
}

StatusOr<std::optional<uint64_t>> S3Backend::Stat(const std::string& name) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  HttpRequest request;
  request.method = "HEAD";
  TRAIL_ASSIGN_OR_RETURN(HttpResponse response, Send(request, KeyOf(name), {}, std::string(kEmptyPayloadHash)));
  if (response.status == 404) return std::optional<uint64_t>();
  if (!Is2xx(response)) return ErrorFor(response, KeyOf(name));
  if (response.content_length < 0) return IoError(UrlOf(KeyOf(name)) + ": HEAD answer without Content-Length");
  return std::optional<uint64_t>(static_cast<uint64_t>(response.content_length));
}

StatusOr<std::vector<ObjectInfo>> S3Backend::List(const std::string& prefix) {
  const std::string key_prefix = prefix_.empty() ? prefix : prefix_ + "/" + prefix;
  const size_t strip = prefix_.empty() ? 0 : prefix_.size() + 1;
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> query = {{"list-type", "2"}, {"prefix", key_prefix}};
    if (!token.empty()) query.emplace_back("continuation-token", token);
    HttpRequest request;
    request.method = "GET";
    TRAIL_ASSIGN_OR_RETURN(HttpResponse response, Send(request, "", query, std::string(kEmptyPayloadHash)));
    if (!Is2xx(response)) return ErrorFor(response, key_prefix);
    ListPage page;
    if (!ParseListPage(response.body, &page)) {
      return Corrupt(UrlOf(key_prefix) + ": unreadable ListObjectsV2 answer from " +
                     RedactUrlSecrets(scheme_ + "://" + host_));
    }
    for (ListPage::Entry& e : page.entries) {
      if (e.key.size() < strip || e.key.compare(0, key_prefix.size(), key_prefix) != 0) continue;
      out.push_back({e.key.substr(strip), e.size});
    }
    if (!page.truncated) break;
    if (page.next_token == token) return Corrupt(UrlOf(key_prefix) + ": listing does not advance");
    token = page.next_token;
  }
  // S3 lists in UTF-8 byte order already; sorting makes it the contract rather than a hope.
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.name < b.name; });
  return out;
}

Status S3Backend::Remove(const std::string& name) {
  TRAIL_RETURN_IF_ERROR(CheckName(name));
  HttpRequest request;
  request.method = "DELETE";
  TRAIL_ASSIGN_OR_RETURN(HttpResponse response, Send(request, KeyOf(name), {}, std::string(kEmptyPayloadHash)));
  if (Is2xx(response) || (response.status == 404 && ParseS3Error(response.body).code != "NoSuchBucket")) {
    return Status::Ok();
  }
  return ErrorFor(response, KeyOf(name));
}

Status S3Backend::CreateBucket() {
  // Outside us-east-1, S3 wants the region in the body.
  std::string body;
  if (virtual_host_ && settings_.region != "us-east-1") {
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
           settings_.region + "</LocationConstraint></CreateBucketConfiguration>";
  }
  HttpRequest request;
  request.method = "PUT";
  request.body = body;
  TRAIL_ASSIGN_OR_RETURN(HttpResponse response, Send(request, "", {}, Sha256Hex(body)));
  const std::string code = ParseS3Error(response.body).code;
  if (Is2xx(response) || code == "BucketAlreadyOwnedByYou") return Status::Ok();
  if (code == "BucketAlreadyExists") {
    // Someone's bucket has the name; s3rver says this to its owner too, so ask whether we may
    // use it (HEAD bucket answers 200 only to those who may).
    HttpRequest head;
    head.method = "HEAD";
    TRAIL_ASSIGN_OR_RETURN(HttpResponse probe, Send(head, "", {}, std::string(kEmptyPayloadHash)));
    if (Is2xx(probe)) return Status::Ok();
  }
  return ErrorFor(response, "");
}

}  // namespace trail::remote
