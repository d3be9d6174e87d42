#include "remote/http_client.h"

#include <curl/curl.h>
#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "base/text.h"

namespace trail::remote {
namespace {

// curl_global_init is not thread-safe and must run before any handle exists.
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) std::abort();
  });
}

// One handle per thread: handles may not be shared between threads, and keeping one alive keeps
// its connection cache, so a thread that moves many packs does one TCP (and TLS) handshake.
CURL* ThreadHandle() {
  struct Handle {
    CURL* curl = nullptr;
    ~Handle() {
      if (curl) curl_easy_cleanup(curl);
    }
  };
  thread_local Handle handle;
  if (!handle.curl) {
    GlobalInit();
    handle.curl = curl_easy_init();
    if (!handle.curl) std::abort();
  } else {
    curl_easy_reset(handle.curl);  // forget the last request's options, keep its connections
  }
  return handle.curl;
}

struct Transfer {
  const HttpRequest* request;
  HttpResponse* response;
  CURL* curl;
  uint64_t sent = 0;
  uint64_t received = 0;
  bool status_known = false;
  bool to_file = false;  // this response's body goes to request->download_fd
  int write_errno = 0;
  bool too_big = false;  // the body passed request->max_body
};

size_t OnRead(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const HttpRequest& r = *t->request;
  size_t want = size * count;
  size_t n = 0;
  if (r.upload_fd >= 0) {
    if (t->sent >= r.upload_size) return 0;
    want = static_cast<size_t>(std::min<uint64_t>(want, r.upload_size - t->sent));
    ssize_t got;
    do {
      got = ::pread(r.upload_fd, buffer, want, static_cast<off_t>(t->sent));
    } while (got < 0 && errno == EINTR);
    if (got < 0) return CURL_READFUNC_ABORT;
    n = static_cast<size_t>(got);
  } else {
    n = static_cast<size_t>(std::min<uint64_t>(want, r.body.size() - t->sent));
    std::memcpy(buffer, r.body.data() + t->sent, n);
  }
  t->sent += n;
  if (r.progress && *r.progress && n > 0) (*r.progress)(t->sent);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  constexpr std::string_view kName = "content-range:";
  if (line.size() > kName.size() && strncasecmp(line.data(), kName.data(), kName.size()) == 0) {
    line.remove_prefix(kName.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
    t->response->content_range = std::string(line);
  }
  return n;
}

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (!t->status_known) {
    // The headers are complete by the first body byte: decide where the body goes, and size
    // the buffer once, so a 64 MiB pack is not copied through a chain of reallocations.
    t->status_known = true;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->response->status);
    t->to_file = t->request->download_fd >= 0 && t->response->status / 100 == 2;
    curl_off_t length = -1;
    curl_easy_getinfo(t->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    const int64_t cap = t->request->max_body > 0 ? static_cast<int64_t>(t->request->max_body) : (int64_t{1} << 34);
    if (!t->to_file && length > 0 && length <= cap) t->response->body.reserve(static_cast<size_t>(length));
  }
  if (t->to_file) {
    const char* p = data;
    size_t left = n;
    while (left > 0) {
      ssize_t w = ::write(t->request->download_fd, p, left);
      if (w < 0) {
        if (errno == EINTR) continue;
        t->write_errno = errno;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
      }
      p += w;
      left -= static_cast<size_t>(w);
    }
  } else {
    if (t->request->max_body > 0 && t->response->body.size() + n > t->request->max_body) {
      t->too_big = true;
      return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    t->response->body.append(data, n);
  }
  t->received += n;
  if (t->to_file && t->request->progress && *t->request->progress) (*t->request->progress)(t->received);
  return n;
}

}  // namespace

StatusOr<HttpResponse> Perform(const HttpRequest& request) {
  CURL* curl = ThreadHandle();
  HttpResponse response;
  Transfer transfer{&request, &response, curl};

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM-based DNS timeouts: we are threaded
  if (request.connect_timeout_ms > 0) {
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, request.connect_timeout_ms);
  } else {
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  }
  if (request.timeout_ms > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, request.timeout_ms);
  if (request.no_proxy) curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  // Abort a transfer that crawls below 1 KiB/s for a minute instead of a fixed total timeout,
  // which a slow but healthy 64 MiB upload would hit.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 1L << 20);
  curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, 2L << 20);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnWrite);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);

  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
    const uint64_t size = request.upload_fd >= 0 ? request.upload_size : request.body.size();
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  // No "Expect: 100-continue" round trip before each upload, and no default Content-Type:
  // neither is signed, and some S3-compatible servers mishandle them.
  headers = curl_slist_append(headers, "Expect:");
  headers = curl_slist_append(headers, "Content-Type:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    std::string why = curl_easy_strerror(rc);
    if (rc == CURLE_WRITE_ERROR && transfer.write_errno != 0) why = std::strerror(transfer.write_errno);
    if (rc == CURLE_WRITE_ERROR && transfer.too_big)
      why = "answer larger than " + std::to_string(request.max_body) + " bytes";
    // The URL may carry an endpoint's password or a presigned query: never show those.
    return IoError(request.method + " " + RedactUrlSecrets(request.url) + ": " + why);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_off_t length = -1;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  response.content_length = length;
  return response;
}

}  // namespace trail::remote
