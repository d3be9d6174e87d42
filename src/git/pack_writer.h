// PackWriter: bulk object writes that land as one pack file.
//
// Writing 100,000 objects as loose files costs a file (and a directory
// lookup) each, both when writing and on every later read. A PackWriter
// instead owns a second handle on the repository whose object database
// collects writes in memory (libgit2's mempack backend); Finish() stores them
// as a single pack, after which every handle on the repository sees them.
#pragma once

#include <git2.h>

#include <memory>
#include <string>

#include "git/git_util.h"
#include "trail/status.h"

namespace trail::git::internal {

class PackWriter {
 public:
  // `gitdir` is the repository's .git directory.
  static StatusOr<std::unique_ptr<PackWriter>> Open(const std::string& gitdir);

  // Objects written through this handle are held in memory until Finish().
  // Reads through it see them; other handles do not yet.
  git_repository* repo() const { return repo_.get(); }

  // Stores a blob in memory. Faster than git_blob_create_from_buffer on
  // repo(), which first looks for the object on disk and rescans the pack
  // directory each time it is missing.
  StatusOr<git_oid> WriteBlob(const std::string& content);

  // Stores everything written so far as one pack (no-op when nothing was).
  // Dropping a PackWriter without Finish() discards the writes.
  Status Finish();

  PackWriter(RepositoryPtr repo, OdbPtr odb, git_odb_backend* mempack);

 private:
  RepositoryPtr repo_;
  OdbPtr odb_;
  git_odb_backend* mempack_;  // owned by odb_
};

}  // namespace trail::git::internal
