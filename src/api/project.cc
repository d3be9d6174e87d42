#include "trail/project.h"

#include "api/project_access.h"
#include "base/files.h"
#include "index/run_index.h"
#include "project/project.h"
#include "recording/live_run.h"

namespace trail::api {

Project::Project(std::unique_ptr<trail::Project> impl) : impl_(std::move(impl)) {}
Project::~Project() = default;

const std::string& Project::name() const { return impl_->name(); }
const std::string& Project::root() const { return impl_->root(); }
const std::string& Project::branch() const { return impl_->branch(); }
const Json& Project::config() const { return impl_->config(); }

void SetIndexMemoryMap(int64_t bytes) { index::RunIndex::SetMemoryMapLimit(bytes); }

StatusOr<std::unique_ptr<Project>> Project::Open(const std::string& dir, std::vector<std::string>* warnings) {
  auto project = trail::Project::Open(dir);
  if (!project.ok()) return project.status();
  std::vector<std::string> recovered;
  RecoverAbandonedRuns(**project, &recovered);
  if (warnings) warnings->insert(warnings->end(), recovered.begin(), recovered.end());
  return ProjectAccess::Wrap(std::move(*project));
}

StatusOr<InitResult> InitProject(const std::string& dir, const InitOptions& options) {
  trail::InitOptions opts;
  opts.name = options.name;
  opts.create_git = options.create_git;
  auto r = trail::Project::Init(dir, opts);
  if (!r.ok()) return r.status();
  InitResult out;
  out.created = r->created;
  out.name = r->name;
  out.root = r->root;
  out.to_add = r->to_add;
  return out;
}

std::string CurrentDirectory() { return trail::CurrentDirectory(); }

}  // namespace trail::api
