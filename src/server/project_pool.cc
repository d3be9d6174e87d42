#include "project_pool.h"

namespace trail::server {

ProjectPool::ProjectPool(std::string root, size_t max_idle) : root_(std::move(root)), max_idle_(max_idle) {}

ProjectPool::Lease::~Lease() {
  if (pool_ != nullptr && project_ != nullptr) pool_->Put(std::move(project_));
}

StatusOr<ProjectPool::Lease> ProjectPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<api::Project> project = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(project));
    }
  }
  // Opened outside the lock: opening reads the config and the repository. Crashed runs were
  // already finalized by the first Open (UiServer::Bind); warnings of later opens are dropped.
  auto project = api::Project::Open(root_, nullptr);
  if (!project.ok()) return project.status();
  return Lease(this, std::move(project).value());
}

void ProjectPool::Put(std::unique_ptr<api::Project> project) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(project));
}

}  // namespace trail::server
