// Where this clone pushes and pulls its object store: named remotes, like Git's, kept per clone
// (not committed) in <git common dir>/trail/remotes.yaml (docs/remotes.md):
//
//   remotes:
//     origin:
//       url: s3://bucket/prefix
//
// The file is replaced atomically on every change.
#pragma once

#include <string>
#include <vector>

#include "project/project.h"
#include "trail/status.h"

namespace trail {

struct Remote {
  std::string name;
  std::string url;  // as OpenBackend takes it: /abs/path, file:///abs/path, s3://bucket[/prefix]
};

// Every configured remote, sorted by name; none when the file does not exist.
StatusOr<std::vector<Remote>> LoadRemotes(const Project& project);

// Adds (or with `replace`, changes) a remote after checking that OpenBackend accepts its URL.
// AlreadyExists when the name is taken and not `replace`; InvalidArgument for a bad name or URL.
Status AddRemote(const Project& project, const Remote& remote, bool replace);

// NotFound when there is no such remote.
Status RemoveRemote(const Project& project, const std::string& name);

// The remote to use: `requested` when given, else the only one, else the one named "origin".
// NotFound / FailedPrecondition say what to configure or name.
StatusOr<Remote> ChooseRemote(const Project& project, const std::string& requested);

}  // namespace trail
