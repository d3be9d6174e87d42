// The library's side of api::Project: the internal Project a handle wraps. Only src/api uses it.
#pragma once

#include "project/project.h"
#include "trail/project.h"

namespace trail::api {

struct ProjectAccess {
  static trail::Project& Of(Project& handle) { return *handle.impl_; }
  static const trail::Project& Of(const Project& handle) { return *handle.impl_; }
  static std::unique_ptr<Project> Wrap(std::unique_ptr<trail::Project> impl) {
    return std::unique_ptr<Project>(new Project(std::move(impl)));
  }
};

}  // namespace trail::api
