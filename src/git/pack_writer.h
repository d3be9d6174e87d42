// PackWriter: bulk object writes that land in the repository as one pack.
//
// Writing 100,000 objects as loose files costs a file each, both when
// writing and on every later read; and each write through a repository's
// object database first looks for the object on disk, rescanning the pack
// directory whenever it is missing. A PackWriter instead offers a
// repository-shaped handle over an object database that lives only in memory
// (libgit2's mempack backend, and nothing else), so writes through it touch
// no disk; Finish() packs a tree and everything under it into the real
// repository in one go.
#pragma once

#include <git2.h>

#include <memory>

#include "git/git_util.h"
#include "trail/status.h"

namespace trail::git::internal {

class PackWriter {
 public:
  // `target` must outlive the PackWriter.
  static StatusOr<std::unique_ptr<PackWriter>> Open(git_repository* target);

  // An objects-only repository (no refs, config or working tree) whose
  // writes stay in memory. It cannot see the target's objects.
  git_repository* memory_repo() const { return memory_repo_.get(); }

  // Copies `root_tree` and every tree and blob under it, written through
  // memory_repo(), into the target repository as a single pack. Anything not
  // reachable from it is dropped with the PackWriter.
  Status Finish(const git_oid& root_tree);

  PackWriter(git_repository* target, RepositoryPtr memory_repo);

 private:
  git_repository* target_;
  RepositoryPtr memory_repo_;
};

}  // namespace trail::git::internal
