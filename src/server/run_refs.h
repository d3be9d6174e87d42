// Names from requests, checked before the library sees them: run ids and content ids, and which
// stored files a run's record names (the only ones the server hands out for that run).
#pragma once

#include <string>
#include <vector>

#include "trail/json.h"
#include "trail/status.h"

namespace trail::server {

// A run id, number or uid: 1..128 of [A-Za-z0-9._-], not "." or "..". InvalidArgument otherwise.
Status CheckRunRef(const std::string& ref);
// "sha256:" and 64 lowercase hex digits. InvalidArgument otherwise.
Status CheckOid(const std::string& oid);

// A stored file that a record names, and the base name a download gets.
struct NamedObject {
  std::string oid;
  std::string file_name;  // sanitized: [A-Za-z0-9._-] only, never empty
  bool folder = false;    // a stored tree (a SavedModel artifact)
};
// Every oid in the record's artifacts, data inputs, data snapshots and stored series.
std::vector<NamedObject> NamedObjects(const Json& record);
// Keeps [A-Za-z0-9._-] of the last '/'-part of `path`, others as '_'; "download" when empty.
std::string SanitizeFileName(const std::string& path);

}  // namespace trail::server
