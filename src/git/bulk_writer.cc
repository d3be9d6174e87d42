// WriteCommitFromFiles: one commit from a whole set of files at once.
//
// Files are grouped into a directory tree in memory first, then each
// directory is written with one git_treebuilder, children before parents, so
// every tree object is written exactly once whatever the number of files.
// Large sets are written as one pack file rather than loose objects (see
// pack_writer.h).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "git/git_util.h"
#include "git/pack_writer.h"
#include "git/repo.h"

namespace trail::git {

using internal::CommitPtr;
using internal::GitError;
using internal::LookupCommit;
using internal::OidHex;
using internal::TreeBuilderPtr;
using internal::ValidateRelativePath;

namespace {

struct DirNode {
  std::map<std::string, std::unique_ptr<DirNode>> dirs;
  std::map<std::string, git_oid> files;
};

Status AddFile(DirNode* root, const std::string& path, const git_oid& blob) {
  DirNode* node = root;
  size_t start = 0;
  for (size_t slash = path.find('/'); slash != std::string::npos; start = slash + 1, slash = path.find('/', start)) {
    std::string part = path.substr(start, slash - start);
    if (node->files.count(part)) {
      return InvalidArgument("'" + path + "' puts a file inside the file '" + path.substr(0, slash) + "'");
    }
    std::unique_ptr<DirNode>& child = node->dirs[part];
    if (child == nullptr) child = std::make_unique<DirNode>();
    node = child.get();
  }
  std::string name = path.substr(start);
  if (node->dirs.count(name)) {
    return InvalidArgument("'" + path + "' is both a file and a directory");
  }
  if (!node->files.emplace(name, blob).second) {
    return InvalidArgument("duplicate path '" + path + "'");
  }
  return Status::Ok();
}

StatusOr<git_oid> WriteDir(git_repository* repo, const DirNode& node, const std::string& path) {
  git_treebuilder* raw = nullptr;
  int error = git_treebuilder_new(&raw, repo, nullptr);
  if (error < 0) return GitError(error, "cannot build tree");
  TreeBuilderPtr builder(raw);
  for (const auto& [name, child] : node.dirs) {
    TRAIL_ASSIGN_OR_RETURN(git_oid id, WriteDir(repo, *child, path + name + "/"));
    error = git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &id, GIT_FILEMODE_TREE);
    if (error < 0) return GitError(error, "cannot add directory " + path + name);
  }
  for (const auto& [name, blob] : node.files) {
    error = git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &blob, GIT_FILEMODE_BLOB);
    if (error < 0) return GitError(error, "cannot add file " + path + name);
  }
  git_oid id;
  error = git_treebuilder_write(&id, builder.get());
  if (error < 0) return GitError(error, "cannot write tree " + path);
  return id;
}

// Below this many files, loose objects are cheaper than a pack of their own
// (and many tiny packs slow every later lookup).
constexpr size_t kPackThreshold = 512;

// Writes the blobs and trees for `files` through `repo` and returns the root
// tree.
StatusOr<git_oid> WriteFilesTree(git_repository* repo, const std::vector<std::pair<std::string, std::string>>& files) {
  DirNode root;
  for (const auto& [path, content] : files) {
    TRAIL_RETURN_IF_ERROR(ValidateRelativePath(path));
    git_oid blob;
    int error = git_blob_create_from_buffer(&blob, repo, content.data(), content.size());
    if (error < 0) return GitError(error, "cannot store " + path);
    TRAIL_RETURN_IF_ERROR(AddFile(&root, path, blob));
  }
  return WriteDir(repo, root, "");
}

}  // namespace

StatusOr<std::string> Repo::WriteCommitFromFiles(const std::vector<std::pair<std::string, std::string>>& files,
                                                 const std::vector<std::string>& parents, const std::string& message,
                                                 const Identity& who) {
  git_repository* repo = repo_.get();
  // Parents first: a typo should fail before any work is done.
  std::vector<CommitPtr> parent_commits;
  std::vector<const git_commit*> parent_ptrs;
  for (const std::string& parent : parents) {
    TRAIL_ASSIGN_OR_RETURN(CommitPtr commit, LookupCommit(repo, parent));
    parent_ptrs.push_back(commit.get());
    parent_commits.push_back(std::move(commit));
  }

  git_oid tree;
  if (files.size() < kPackThreshold) {
    TRAIL_ASSIGN_OR_RETURN(tree, WriteFilesTree(repo, files));
  } else {
    TRAIL_ASSIGN_OR_RETURN(auto packer, internal::PackWriter::Open(repo));
    TRAIL_ASSIGN_OR_RETURN(tree, WriteFilesTree(packer->memory_repo(), files));
    TRAIL_RETURN_IF_ERROR(packer->Finish(tree));
  }
  TRAIL_ASSIGN_OR_RETURN(git_oid commit, internal::CreateCommit(repo, tree, parent_ptrs, message, who));
  return OidHex(commit);
}

}  // namespace trail::git
