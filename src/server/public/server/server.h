// `trail ui`: the HTTP server of the web UI and its REST API (docs/api.md), over the public
// library (include/trail/). This is the server's only header a front end (the CLI) may include.
#pragma once

#include <memory>
#include <string>

#include "trail/status.h"

namespace trail::server {

struct ServerOptions {
  std::string project_dir;         // any folder inside the project to serve
  std::string host = "127.0.0.1";  // the address to listen on
  int port = 7007;                 // 0: any free port
  std::string token;               // empty: a random one (32 bytes, hex) per process
};

class UiServer {
 public:
  // Opens the project and binds the port (nothing is served until Serve). FailedPrecondition
  // outside a project; AlreadyExists "port N on HOST is in use" when another process holds it;
  // InvalidArgument for an address that cannot be bound.
  static StatusOr<std::unique_ptr<UiServer>> Bind(const ServerOptions& options);
  ~UiServer();
  UiServer(const UiServer&) = delete;
  UiServer& operator=(const UiServer&) = delete;

  int port() const;  // the port bound (the free one found for port 0)
  const std::string& project_name() const;
  // The URL to open: http://HOST:PORT/, with ?token=... when reads need the token (a
  // non-loopback address).
  std::string url() const;
  const std::string& token() const;

  // Serves requests until Stop; returns once every worker has finished.
  Status Serve();
  // Safe from any thread (not from a signal handler): stops accepting, ends open event streams.
  void Stop();

  struct Impl;

 private:
  explicit UiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace trail::server
