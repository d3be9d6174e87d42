// One HTTP exchange over libcurl, for the S3 backend. No retries and no S3 knowledge here:
// the caller signs the request and decides what a status means.
//
// Thread safety: Perform may be called from any number of threads at once; each thread reuses
// its own curl handle, so connections to the server stay open between calls of a thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "remote/backend.h"
#include "trail/status.h"

namespace trail::remote {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "PUT", "POST", "DELETE"
  std::string url;     // already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  // The body of a PUT or POST: `body` (POST: only `body`), or `upload_size` bytes of the file `upload_fd` from offset
  // 0.
  std::string_view body;
  int upload_fd = -1;
  uint64_t upload_size = 0;
  // A 2xx response body goes here when >= 0 (written at the descriptor's current position),
  // else into HttpResponse::body. Error bodies always go to HttpResponse::body.
  int download_fd = -1;
  // Called with the bytes sent (uploads) or received (downloads) so far.
  const ProgressFn* progress = nullptr;
  // Limits for small exchanges with credential services (0: the S3 defaults, which suit big
  // transfers): the connect and the whole-exchange timeouts, the most body bytes accepted (more
  // is an IoError, never a bigger buffer), and whether to bypass any proxy (link-local and
  // loopback metadata services must never be asked through one).
  long connect_timeout_ms = 0;
  long timeout_ms = 0;
  size_t max_body = 0;
  bool no_proxy = false;
};

struct HttpResponse {
  long status = 0;
  int64_t content_length = -1;  // from the headers; -1 when the server did not say
  std::string content_range;    // the Content-Range header's value, for ranged GETs
  std::string body;
};

// IoError only when no complete HTTP response arrived (cannot connect, timed out, cut off);
// any status code the server sends, 500 included, is a response.
StatusOr<HttpResponse> Perform(const HttpRequest& request);

}  // namespace trail::remote
