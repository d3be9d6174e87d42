// UiServer: binds, wires the security checks and the routes onto cpp-httplib, serves.
#include "server/server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "http_json.h"
#include "router.h"
#include "server_state.h"

namespace trail::server {
namespace {

// Worker threads: each open event stream holds one, so a few browser tabs with live charts must
// not starve the API.
constexpr size_t kWorkerThreads = 32;
// Projects open at once (ProjectPool): what bounds the memory under a burst of requests. Each
// maps the runs index (mmap, counted in RSS once per connection: ~150 MB at 100,000 runs), so
// two keep the server under 300 MB RSS there while one slow download cannot block the API.
constexpr size_t kOpenProjects = 2;
constexpr int64_t kIndexMemoryMapBytes = 64 << 20;
constexpr size_t kMaxRequestBody = 1 << 20;
constexpr size_t kKeepAliveRequests = 100;

// Why binding failed: cpp-httplib only says that it did, so the address is tried once more here
// to learn errno.
Status BindError(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* result = nullptr;
  const std::string where = host + " port " + std::to_string(port);
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &result) != 0 || result == nullptr) {
    return InvalidArgument("cannot listen on " + where + ": not an address of this machine");
  }
  int err = 0;
  int fd = socket(result->ai_family, result->ai_socktype, result->ai_protocol);
  if (fd < 0) {
    err = errno;
  } else {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (bind(fd, result->ai_addr, result->ai_addrlen) != 0) err = errno;
    close(fd);
  }
  freeaddrinfo(result);
  if (err == EADDRINUSE) return AlreadyExists("cannot listen on " + where + ": the port is in use");
  if (err == EACCES) return InvalidArgument("cannot listen on " + where + ": permission denied");
  return InvalidArgument("cannot listen on " + where + (err != 0 ? ": " + std::string(std::strerror(err)) : ""));
}

std::string UrlHost(const std::string& host) {
  if (host == "0.0.0.0" || host == "::" || host.empty()) return "127.0.0.1";
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]";
  return host;
}

RequestFacts FactsOf(const httplib::Request& req) {
  RequestFacts f;
  f.method = req.method;
  f.path = req.path;
  f.host = req.get_header_value("Host");
  f.cookie_token = CookieValue(req.get_header_value("Cookie"), "trail_token");
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) == 0) f.bearer_token = auth.substr(7);
  f.header_token = req.get_header_value("X-Trail-Token");
  f.has_query_token = req.has_param("token");
  f.query_token = req.get_param_value("token");
  return f;
}

}  // namespace

struct UiServer::Impl {
  Impl(std::string root, std::string host) : state(std::move(root), kOpenProjects), host(std::move(host)) {}
  ServerState state;
  httplib::Server http;
  std::string host;
  int port = 0;
};

UiServer::UiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UiServer::~UiServer() = default;

StatusOr<std::unique_ptr<UiServer>> UiServer::Bind(const ServerOptions& options) {
  if (options.port < 0 || options.port > 65535) return InvalidArgument("--port must be from 0 to 65535");
  if (options.host.empty()) return InvalidArgument("--host must not be empty");
  if (!options.token.empty()) {
    for (char c : options.token) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
        return InvalidArgument("--token may hold only letters, digits, '-' and '_'");
      }
    }
  }
  // A server lives long and touches much of the index over time: mapped pages would all stay in
  // its resident memory. Listings read columns once (then arrays), so a small map costs little.
  api::SetIndexMemoryMap(kIndexMemoryMapBytes);
  // The first open finalizes runs whose process died (as every command does); later ones,
  // opened by the pool, find nothing left to do.
  auto project = api::Project::Open(options.project_dir, nullptr);
  if (!project.ok()) return project.status();
  auto impl = std::make_unique<Impl>((*project)->root(), options.host);
  impl->state.project_name = (*project)->name();
  impl->state.pool.Adopt(std::move(project).value());

  httplib::Server& http = impl->http;
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which would let a second server
  // (or another program of the same user) share the port instead of being told it is in use.
  // TCP_NODELAY: a response's headers and body go out as separate writes; with Nagle on, the body
  // waits for the client's delayed ACK of the headers, adding 40 ms to every keep-alive request.
  // Accepted sockets inherit it from the listening one.
  http.set_tcp_nodelay(true);
  // A page loads a dozen files and requests over a few connections: cpp-httplib's default closes
  // a connection after 5 requests, making the browser connect again mid-page.
  http.set_keep_alive_max_count(kKeepAliveRequests);
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });
  if (options.port == 0) {
    impl->port = http.bind_to_any_port(options.host);
    if (impl->port <= 0) return BindError(options.host, 0);
  } else {
    if (!http.bind_to_port(options.host, options.port)) return BindError(options.host, options.port);
    impl->port = options.port;
  }

  SecurityConfig& security = impl->state.security;
  security.token = options.token.empty() ? GenerateToken() : options.token;
  security.reads_need_token = !IsLoopbackHost(options.host);
  security.allowed_hosts = AllowedHosts(options.host, impl->port);

  http.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  http.set_payload_max_length(kMaxRequestBody);
  httplib::Headers headers;
  for (const auto& [name, value] : SecurityHeaders()) headers.emplace(name, value);
  http.set_default_headers(headers);

  ServerState* state = &impl->state;
  http.set_pre_routing_handler([state](const httplib::Request& req, httplib::Response& res) {
    Verdict v = CheckRequest(state->security, FactsOf(req));
    if (v.status == 0) return httplib::Server::HandlerResponse::Unhandled;
    if (v.set_cookie_and_redirect) {
      res.set_header("Set-Cookie", "trail_token=" + state->security.token + "; HttpOnly; SameSite=Strict; Path=/");
      res.set_header("Cache-Control", "no-store");
      res.set_redirect(StripTokenParam(req.target), 302);
      return httplib::Server::HandlerResponse::Handled;
    }
    SendError(res, v.status, v.message);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Statuses cpp-httplib sets itself (no route, bad request line, body too large) get the
  // contract's JSON body; ones a handler already gave a body keep it.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() || res.status == 304) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = res.status == 404 ? "no such resource: " + req.path
                                            : "the request failed (HTTP " + std::to_string(res.status) + ")";
    SendError(res, res.status, message);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unexpected error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SendError(res, 500, "internal error: " + what);
  });

  Router router(http, impl->state);
  RegisterProjectRoutes(router);
  RegisterRunRoutes(router);
  RegisterSeriesRoutes(router);
  RegisterCodeRoutes(router);
  RegisterFilesRoutes(router);
  RegisterCompareRoutes(router);
  RegisterSweepRoutes(router);
  RegisterEventRoutes(router);
  RegisterStaticRoutes(router);
  return std::unique_ptr<UiServer>(new UiServer(std::move(impl)));
}

int UiServer::port() const { return impl_->port; }
const std::string& UiServer::project_name() const { return impl_->state.project_name; }
const std::string& UiServer::token() const { return impl_->state.security.token; }

std::string UiServer::url() const {
  std::string url = "http://" + UrlHost(impl_->host) + ":" + std::to_string(impl_->port) + "/";
  if (impl_->state.security.reads_need_token) url += "?token=" + impl_->state.security.token;
  return url;
}

Status UiServer::Serve() {
  if (!impl_->http.listen_after_bind() && !impl_->state.stopping) return IoError("the server stopped accepting");
  return Status::Ok();
}

void UiServer::Stop() {
  impl_->state.stopping = true;
  impl_->http.stop();
}

}  // namespace trail::server
