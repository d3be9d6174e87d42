// What every handler of one server shares: the pool of open projects, the security settings and
// the stop flag that ends open event streams.
#pragma once

#include <atomic>
#include <string>

#include "listing_cache.h"
#include "project_pool.h"
#include "security.h"

namespace trail::server {

struct ServerState {
  ServerState(std::string root, size_t max_open_projects) : pool(std::move(root), max_open_projects) {}

  ProjectPool pool;
  SecurityConfig security;
  ListingCache listings;
  std::string project_name;
  std::atomic<bool> stopping{false};
};

}  // namespace trail::server
