// A backend over an S3 bucket (or an S3-compatible server), one object per name, under an
// optional key prefix. Requests are signed with SigV4 and sent with libcurl.
//
// Addressing: with an endpoint (a local or third-party server) path style,
// "<endpoint>/<bucket>/<key>"; without one, AWS's virtual-host style
// "https://<bucket>.s3.<region>.amazonaws.com/<key>".
//
// Failures: 5xx answers and connection errors are retried (3 tries, with backoff); every other
// answer is final. A retried transfer reports its progress from 0 again. Messages name the object and S3's error code:
// "s3://b/k: 403 AccessDenied: ...". Limits: one PUT per object, so objects are at most 5 GiB (packs are 64 MiB).
#pragma once

#include <ctime>
#include <functional>
#include <string>

#include "remote/aws_config.h"
#include "remote/backend.h"
#include "remote/http_client.h"

namespace trail::remote {

class S3Backend : public Backend {
 public:
  // `prefix` is a key prefix without leading or trailing '/', or empty. InvalidArgument when
  // the endpoint is not an http(s) URL.
  static StatusOr<std::unique_ptr<S3Backend>> Open(const std::string& bucket, const std::string& prefix,
                                                   S3Settings settings);

  std::string Describe() const override;
  Status Save(const std::string& name, std::string_view bytes) override;
  Status SaveFile(const std::string& name, const std::string& local_path, const ProgressFn& progress) override;
  StatusOr<std::string> Load(const std::string& name, uint64_t offset, uint64_t length) override;
  Status LoadFile(const std::string& name, const std::string& local_path, const ProgressFn& progress) override;
  StatusOr<std::optional<uint64_t>> Stat(const std::string& name) override;
  StatusOr<std::vector<ObjectInfo>> List(const std::string& prefix) override;
  Status Remove(const std::string& name) override;

  // Creates the bucket; ok when it exists and is ours. For tests and for setting up a remote.
  Status CreateBucket();

 private:
  S3Backend(std::string bucket, std::string prefix, S3Settings settings, std::string scheme, std::string host,
            std::string base_path);

  // One signed request for `key` ("" for the bucket itself), retried as the header says.
  // `payload_hash` is the hex SHA-256 of the body. A Status only when no answer came.
  StatusOr<HttpResponse> Send(HttpRequest request, const std::string& key,
                              const std::vector<std::pair<std::string, std::string>>& query,
                              const std::string& payload_hash, const std::function<Status()>& before_retry = {});
  // The Status for a non-2xx answer about `key`.
  Status ErrorFor(const HttpResponse& response, const std::string& key) const;
  std::string KeyOf(const std::string& name) const { return prefix_.empty() ? name : prefix_ + "/" + name; }
  std::string UrlOf(const std::string& key) const;  // s3://bucket/key, for messages

  std::string bucket_, prefix_;
  S3Settings settings_;
  std::string scheme_, host_, base_path_;
  bool virtual_host_ = false;
};

}  // namespace trail::remote
