// Browsing what a run holds beyond its record: the files of its code snapshot, and the bytes of
// its stored artifacts, data snapshots and series, streamed from the object store by content id.
// Everything here is read-only and takes names from untrusted callers (HTTP requests): paths are
// checked, never resolved on the file system.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "trail/project.h"
#include "trail/status.h"

namespace trail::api {

struct CodeEntry {
  std::string path;  // relative to the snapshot's root, '/'-separated
  std::string type;  // "file", "link", "submodule"
  int64_t size = 0;  // bytes (files), 0 otherwise
  bool executable = false;
};

// Every entry of the commit's tree (recursively, sorted by path), at most `limit` (then
// *truncated = true). `commit` is a commit id, as a record's code.snapshot or code.commit; an
// unknown one is NotFound.
StatusOr<std::vector<CodeEntry>> ListCodeFiles(Project& project, const std::string& commit, int64_t limit,
                                               bool* truncated);

// One file of the commit's tree, at most `max_bytes` of it (then *truncated = true).
// InvalidArgument for a path with "..", an absolute path or an empty part; NotFound when it is not
// a file of the tree.
StatusOr<std::string> ReadCodeFile(Project& project, const std::string& commit, const std::string& path,
                                   int64_t max_bytes, bool* truncated);

// A stored file (an artifact, a data input or snapshot, a long series) by content id
// "sha256:<64 hex>". InvalidArgument for a malformed id; NotFound when the local store lacks it.
struct StoredObject {
  std::string oid;
  int64_t size = 0;
  bool folder = false;  // a stored tree (a SavedModel): see ListStoredFolder
};
StatusOr<StoredObject> StatStoredObject(Project& project, const std::string& oid);

// Streams a stored file's bytes, in order, verified chunk by chunk, to `sink` (chunks of up to a
// few MiB). Stops at, and returns, the first error of `sink`; memory stays bounded whatever the
// size.
Status ReadStoredObject(Project& project, const std::string& oid, const std::function<Status(std::string_view)>& sink);

// The files of a stored folder (a SavedModel), each with its own content id.
struct StoredFolderEntry {
  std::string path;
  int64_t size = 0;
  std::string oid;
};
StatusOr<std::vector<StoredFolderEntry>> ListStoredFolder(Project& project, const std::string& oid);

}  // namespace trail::api
