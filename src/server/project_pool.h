// A few open api::Projects shared by the server's worker threads. An api::Project is one per
// thread at a time (it caches the index connection and the Git repository), so each request
// checks one out and gives it back when done; two requests never hold the same one. The number
// open at once is capped (each holds the index's page cache and the repository's caches: about
// 100 MB at 100,000 runs), so a burst of requests waits for one instead of opening more.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "trail/project.h"
#include "trail/status.h"

namespace trail::server {

class ProjectPool {
 public:
  // `root`: the project's root; at most `max_open` projects are open at once.
  ProjectPool(std::string root, size_t max_open);

  // A checked-out project, given back to the pool when destroyed.
  class Lease {
   public:
    Lease(ProjectPool* pool, std::unique_ptr<api::Project> project) : pool_(pool), project_(std::move(project)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease();
    api::Project& operator*() const { return *project_; }
    api::Project* operator->() const { return project_.get(); }

   private:
    ProjectPool* pool_;
    std::unique_ptr<api::Project> project_;
  };

  // An idle project, a newly opened one while fewer than max_open are, or else the first one
  // given back (it waits). The pool must outlive the lease; a thread must not hold two leases.
  StatusOr<Lease> Acquire();
  // Adds an already open project (the one Bind opened), counted as one of the open ones.
  void Adopt(std::unique_ptr<api::Project> project);

 private:
  void Return(std::unique_ptr<api::Project> project);

  std::string root_;
  size_t max_open_;
  size_t open_ = 0;  // idle and checked out
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<api::Project>> idle_;
};

}  // namespace trail::server
