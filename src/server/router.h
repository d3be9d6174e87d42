// Routing and dispatch: each resource group's file registers its endpoints here. A handler gets
// a project checked out of the pool for the request (given back when it returns) and returns a
// Status; a failed one becomes the contract's JSON error with its HTTP status.
#pragma once

#include <httplib.h>

#include <functional>
#include <string>

#include "server_state.h"
#include "trail/project.h"
#include "trail/status.h"

namespace trail::server {

using ProjectHandler = std::function<Status(const httplib::Request&, httplib::Response&, api::Project&)>;

// Used while the server is set up; the handlers it registers outlive it.
class Router {
 public:
  Router(httplib::Server& http, ServerState& state) : http_(http), state_(state) {}

  // `pattern` is a regular expression matched against the whole decoded path; captures are in
  // req.matches. Patterns are tried in the order they were added.
  void Get(const std::string& pattern, ProjectHandler handler);
  void Post(const std::string& pattern, ProjectHandler handler);
  // A handler that manages projects itself (event streams, which must not hold one between polls;
  // static files, which need none).
  void GetRaw(const std::string& pattern, httplib::Server::Handler handler);

  ServerState& state() { return state_; }

 private:
  httplib::Server::Handler Wrap(ProjectHandler handler);
  httplib::Server& http_;
  ServerState& state_;
};

// One per resource group (routes_*.cc, static_assets.cc); server.cc calls them in this order.
void RegisterProjectRoutes(Router& router);  // project, keys, runs listing, count, query check
void RegisterRunRoutes(Router& router);      // one run: record, output, tags, notes, data head
void RegisterSeriesRoutes(Router& router);   // a metric's downsampled series
void RegisterCodeRoutes(Router& router);     // code snapshot files, file, diff; compare/code
void RegisterFilesRoutes(Router& router);    // stored files by content id
void RegisterCompareRoutes(Router& router);  // compare
void RegisterSweepRoutes(Router& router);    // sweeps
void RegisterEventRoutes(Router& router);    // Server-Sent Events: a run, the project
void RegisterStaticRoutes(Router& router);   // index.html and /assets/ (last: it catches pages)

}  // namespace trail::server
