#include "router.h"

#include "http_json.h"

namespace trail::server {

httplib::Server::Handler Router::Wrap(ProjectHandler handler) {
  // The Router is gone once the routes are set up: the handler keeps the state, not the router.
  ServerState* state = &state_;
  return [state, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    auto lease = state->pool.Acquire();
    if (!lease.ok()) {
      SendError(res, lease.status());
      return;
    }
    Status s = handler(req, res, **lease);
    if (!s.ok()) {
      res.headers.erase("Content-Disposition");
      SendError(res, s);
    }
  };
}

void Router::Get(const std::string& pattern, ProjectHandler handler) { http_.Get(pattern, Wrap(std::move(handler))); }

void Router::Post(const std::string& pattern, ProjectHandler handler) { http_.Post(pattern, Wrap(std::move(handler))); }

void Router::GetRaw(const std::string& pattern, httplib::Server::Handler handler) {
  http_.Get(pattern, std::move(handler));
}

}  // namespace trail::server
