#include "project_pool.h"

namespace trail::server {

ProjectPool::ProjectPool(std::string root, size_t max_open) : root_(std::move(root)), max_open_(max_open) {}

ProjectPool::Lease::~Lease() {
  if (pool_ != nullptr && project_ != nullptr) pool_->Return(std::move(project_));
}

StatusOr<ProjectPool::Lease> ProjectPool::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    returned_.wait(lock, [this] { return !idle_.empty() || open_ < max_open_; });
    if (!idle_.empty()) {
      std::unique_ptr<api::Project> project = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(project));
    }
    ++open_;  // reserved before the lock is released; given back below if the open fails
  }
  // Opened outside the lock: opening reads the config and the repository. Crashed runs were
  // already finalized by the first Open (UiServer::Bind); warnings of later opens are dropped.
  auto project = api::Project::Open(root_, nullptr);
  if (!project.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    returned_.notify_one();
    return project.status();
  }
  return Lease(this, std::move(project).value());
}

void ProjectPool::Adopt(std::unique_ptr<api::Project> project) {
  std::lock_guard<std::mutex> lock(mu_);
  ++open_;
  idle_.push_back(std::move(project));
  returned_.notify_one();
}

void ProjectPool::Return(std::unique_ptr<api::Project> project) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(project));
  returned_.notify_one();
}

}  // namespace trail::server
