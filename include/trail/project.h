// Opening and creating a trail project: a Git repository with .trail/config.yaml at its root.
//
// The public API lives in namespace trail::api (the library's layers use namespace trail, so
// the compiler keeps the two apart); Status, StatusOr and Json are shared. Nothing here prints
// or exits: every expected failure is a Status whose message is one line meant for the user.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "trail/json.h"
#include "trail/status.h"

namespace trail {
class Project;  // the library's own; front ends only ever hold an api::Project
}  // namespace trail

namespace trail::api {

struct InitOptions {
  std::string name;         // the prefix of run ids; default: the repository folder's name
  bool create_git = false;  // create the Git repository when there is none
};

struct InitResult {
  bool created = false;  // false: it was already a project and nothing changed
  std::string name;
  std::string root;
  std::vector<std::string> to_add;  // files the user should commit
};

// Makes the Git repository containing `dir` a trail project (writes .trail/config.yaml and the
// .gitignore entry; commits nothing). FailedPrecondition when `dir` is in no repository and
// !create_git.
StatusOr<InitResult> InitProject(const std::string& dir, const InitOptions& options);

// For long-lived processes (trail ui): at most `bytes` of each runs index opened from now on is
// memory-mapped. Mapped pages make listings fast but stay in the process's resident memory; a
// short command keeps the default (1 GiB), a server trades some speed for a bounded footprint.
void SetIndexMemoryMap(int64_t bytes);

// An open project. One per process and thread at a time is the intended use: it caches the
// runs index and the Git repository. Every other header's functions take one.
class Project {
 public:
  // Opens the project containing `dir` and records runs whose process died as crashed (a
  // warning each, appended to `warnings`, which may be null). FailedPrecondition when `dir` is
  // not inside a trail project.
  static StatusOr<std::unique_ptr<Project>> Open(const std::string& dir, std::vector<std::string>* warnings);
  ~Project();
  Project(const Project&) = delete;
  Project& operator=(const Project&) = delete;

  const std::string& name() const;    // "fraud": run ids are fraud-1, fraud-2, ...
  const std::string& root() const;    // the work tree's root, absolute
  const std::string& branch() const;  // the runs branch, "trail"
  const Json& config() const;         // .trail/config.yaml as read at Open

 private:
  friend struct ProjectAccess;  // src/api: the library's side of the handle
  explicit Project(std::unique_ptr<trail::Project> impl);
  std::unique_ptr<trail::Project> impl_;
};

// The process's current directory, absolute ("" when it cannot be read).
std::string CurrentDirectory();

}  // namespace trail::api
