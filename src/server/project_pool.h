// A few open api::Projects shared by the server's worker threads. An api::Project is one per
// thread at a time (it caches the index connection and the Git repository), so each request
// checks one out and gives it back when done; two requests never hold the same one.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "trail/project.h"
#include "trail/status.h"

namespace trail::server {

class ProjectPool {
 public:
  // `root`: the project's root; at most `max_idle` open projects are kept between requests
  // (more are opened under load and closed when given back).
  ProjectPool(std::string root, size_t max_idle);

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

  // An idle project, or a newly opened one. The pool must outlive the lease.
  StatusOr<Lease> Acquire();
  // Adds an already open project (the one Bind opened) to the idle ones.
  void Put(std::unique_ptr<api::Project> project);

 private:
  std::string root_;
  size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<api::Project>> idle_;
};

}  // namespace trail::server
