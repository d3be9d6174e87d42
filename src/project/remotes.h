// Where this clone pushes and pulls its object store: named remotes, like Git's, kept per clone
// (not committed) in <git common dir>/trail/remotes.yaml (docs/remotes.md):
//
//   default: origin          # optional: what push / pull use without a name
//   remotes:
//     origin:
//       url: s3://bucket/prefix
//       endpoint: http://127.0.0.1:9000   # optional S3 settings (remote::BackendSettings)
//       profile: minio
//       region: eu-west-1
//
// The file is replaced atomically on every change.
#pragma once

#include <string>
#include <vector>

#include "project/project.h"
#include "remote/backend.h"
#include "trail/status.h"

namespace trail {

struct Remote {
  std::string name;
  std::string url;  // as OpenBackend takes it: /abs/path, file:///abs/path, s3://bucket[/prefix]
  remote::BackendSettings settings;
  bool is_default = false;  // named by `trail remote default`
};

// Every configured remote, sorted by name; none when the file does not exist.
StatusOr<std::vector<Remote>> LoadRemotes(const Project& project);

// Adds (or with `replace`, changes) a remote after checking that OpenBackend accepts its URL.
// AlreadyExists when the name is taken and not `replace`; InvalidArgument for a bad name or URL.
Status AddRemote(const Project& project, const Remote& remote, bool replace);

// NotFound when there is no such remote. Removing the default remote leaves none set.
Status RemoveRemote(const Project& project, const std::string& name);

// Makes `name` the default remote; NotFound when there is no such remote.
Status SetDefaultRemote(const Project& project, const std::string& name);

// Sets one of the remote's settings (remote::BackendSettings; an empty value removes it), after
// checking that OpenBackend accepts the remote with it. NotFound for an unknown remote,
// InvalidArgument for an unknown key or a bad value; nothing is written then.
Status ModifyRemote(const Project& project, const std::string& name, const std::string& key, const std::string& value);

// The remote to use: `requested` when given, else the default one, else the only one, else the
// one named "origin". NotFound / FailedPrecondition say what to configure or name.
StatusOr<Remote> ChooseRemote(const Project& project, const std::string& requested);

// The remote's backend, opened with its own settings.
StatusOr<std::unique_ptr<remote::Backend>> OpenRemote(const Remote& remote);

}  // namespace trail
