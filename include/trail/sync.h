// Sharing a project between clones (docs/remotes.md): the object store's remotes (a folder or
// S3), moving packs to and from one, and merging the runs branch through Git.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

struct Remote {
  std::string name;
  std::string url;  // /abs/path, file:///abs/path or s3://bucket[/prefix]
  // An S3 remote's own settings (empty: from the environment and the AWS files, which these win
  // over): "endpoint", "profile", "region", in that order, only those set. None is a secret.
  std::vector<std::pair<std::string, std::string>> settings;
  bool is_default = false;  // what push / fetch / pull use without a name (SetDefaultRemote)
};

// Every configured remote, sorted by name.
StatusOr<std::vector<Remote>> ListRemotes(Project& project);
// Adds (or with `replace`, changes) a remote once its URL opens. A folder given relative is made
// absolute against the current directory; returns the URL as stored. AlreadyExists when the
// name is taken and !replace; InvalidArgument for a bad name or URL.
StatusOr<std::string> AddRemote(Project& project, const std::string& name, const std::string& url, bool replace);
// NotFound when there is no such remote. Its stored packs are left alone.
Status RemoveRemote(Project& project, const std::string& name);
// Makes `name` the remote push / fetch / pull use when none is named; NotFound when unknown.
Status SetDefaultRemote(Project& project, const std::string& name);
// Sets (or with an empty value, removes) a remote's setting: endpoint, profile or region.
// NotFound for an unknown remote; InvalidArgument for an unknown key, a bad value or a folder
// remote. Nothing is written on error.
Status ModifyRemote(Project& project, const std::string& name, const std::string& key, const std::string& value);

struct SyncRequest {
  std::string remote;  // empty: the default one, else the only one, else origin
  int jobs = 4;        // packs moved at once
  // Bytes moved so far of `total`; called often and from worker threads (throttle it).
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct SyncReport {
  std::string remote;  // the store remote used; its Git twin is what SyncRuns takes
  std::string where;   // its URL, for messages
  size_t packs_moved = 0;
  uint64_t bytes_moved = 0;  // pack bytes; the small .idx files are not counted
  size_t packs_already = 0;  // packs both sides had
  double seconds = 0;
};

// Uploads the packs the remote lacks (each verified first), or downloads those this store lacks
// (each verified before it becomes visible). The first failure is returned, naming the pack;
// NotFound / FailedPrecondition when no remote is configured or named.
StatusOr<SyncReport> PushPacks(Project& project, const SyncRequest& request);
StatusOr<SyncReport> FetchPacks(Project& project, const SyncRequest& request);

// True when the project has no store remote but a Git remote origin: then only the runs
// branch is shared (SyncRuns with "origin").
bool SharesRunsOnly(Project& project);

struct RunsSyncReport {
  bool ok = true;
  std::string message;  // what happened, for people: the refs moved, or why it failed
};

enum class Direction { kPush, kFetch };
// Fetches and merges the runs other clones pushed through the Git remote that goes with
// `store_remote` (the one of the same name, else origin); with kPush, then pushes the runs
// branch and the code refs (runs whose ids another clone took are renumbered). Never fails
// the caller: problems come back as !ok.
RunsSyncReport SyncRuns(Project& project, const std::string& store_remote, Direction direction);

}  // namespace trail::api
