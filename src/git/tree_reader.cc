// Reading files and directories out of commits.
#include <string>
#include <vector>

#include "base/paths.h"
#include "git/git_util.h"
#include "git/repo.h"

namespace trail::git {

using internal::BlobPtr;
using internal::GitError;
using internal::LookupCommitTree;
using internal::LookupSubtree;
using internal::OidHex;
using internal::ParseOid;
using internal::TreeEntryPtr;
using internal::TreePtr;
using internal::TrimSlashes;

namespace {

StatusOr<std::string> BlobContent(git_repository* repo, const git_oid& id) {
  git_blob* raw = nullptr;
  int error = git_blob_lookup(&raw, repo, &id);
  if (error == GIT_ENOTFOUND) return NotFound("blob " + OidHex(id) + " not found");
  if (error < 0) return GitError(error, "cannot read blob " + OidHex(id));
  BlobPtr blob(raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                     static_cast<size_t>(git_blob_rawsize(blob.get())));
}

// Pre-order walk in tree order. A recursive walk of our own (rather than
// git_tree_walk) lets fn's Status travel back out unchanged.
Status WalkFiles(git_repository* repo, const git_tree* tree, const std::string& dir, const std::string& file_name,
                 const std::function<Status(const std::string&, const std::string&)>& fn) {
  const size_t count = git_tree_entrycount(tree);
  for (size_t i = 0; i < count; ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    const char* name = git_tree_entry_name(entry);
    switch (git_tree_entry_type(entry)) {
      case GIT_OBJECT_BLOB:
        if (file_name.empty() || file_name == name) {
          TRAIL_RETURN_IF_ERROR(fn(JoinPath(dir, name), OidHex(*git_tree_entry_id(entry))));
        }
        break;
      case GIT_OBJECT_TREE: {
        git_tree* raw = nullptr;
        int error = git_tree_lookup(&raw, repo, git_tree_entry_id(entry));
        if (error < 0) return GitError(error, "cannot read directory " + JoinPath(dir, name));
        TreePtr subtree(raw);
        TRAIL_RETURN_IF_ERROR(WalkFiles(repo, subtree.get(), JoinPath(dir, name), file_name, fn));
        break;
      }
      default:  // submodule commits are not files of this repository
        break;
    }
  }
  return Status::Ok();
}

Status WalkTree(git_repository* repo, git_odb* odb, const git_tree* tree, const std::string& dir,
                const std::function<Status(const TreeFile&)>& fn) {
  const size_t count = git_tree_entrycount(tree);
  for (size_t i = 0; i < count; ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    std::string path = JoinPath(dir, git_tree_entry_name(entry));
    git_object_t type = git_tree_entry_type(entry);
    if (type == GIT_OBJECT_TREE) {
      git_tree* raw = nullptr;
      int error = git_tree_lookup(&raw, repo, git_tree_entry_id(entry));
      if (error < 0) return GitError(error, "cannot read directory " + path);
      TreePtr subtree(raw);
      TRAIL_RETURN_IF_ERROR(WalkTree(repo, odb, subtree.get(), path, fn));
      continue;
    }
    TreeFile file;
    file.path = std::move(path);
    file.oid = OidHex(*git_tree_entry_id(entry));
    file.mode = static_cast<uint32_t>(git_tree_entry_filemode(entry));
    if (type == GIT_OBJECT_BLOB) {
      size_t size = 0;
      git_object_t header_type;
      int error = git_odb_read_header(&size, &header_type, odb, git_tree_entry_id(entry));
      if (error < 0) return GitError(error, "cannot read " + file.path);
      file.size = static_cast<int64_t>(size);
    }
    TRAIL_RETURN_IF_ERROR(fn(file));
  }
  return Status::Ok();
}

}  // namespace

Status Repo::ForEachTreeFile(const std::string& commit_hex, const std::function<Status(const TreeFile&)>& fn) const {
  TRAIL_RETURN_IF_ERROR(ParseOid(commit_hex).status());
  TRAIL_ASSIGN_OR_RETURN(TreePtr root, LookupCommitTree(repo_.get(), commit_hex));
  git_odb* odb = nullptr;
  int error = git_repository_odb(&odb, repo_.get());
  if (error < 0) return GitError(error, "cannot open the object database");
  Status result = WalkTree(repo_.get(), odb, root.get(), "", fn);
  git_odb_free(odb);
  return result;
}

StatusOr<TreeFile> Repo::StatTreeFile(const std::string& commit_hex, const std::string& path) const {
  TRAIL_RETURN_IF_ERROR(ParseOid(commit_hex).status());
  TRAIL_ASSIGN_OR_RETURN(TreePtr root, LookupCommitTree(repo_.get(), commit_hex));
  if (path.empty()) return InvalidArgument("empty path");
  git_tree_entry* raw = nullptr;
  int error = git_tree_entry_bypath(&raw, root.get(), path.c_str());
  if (error == GIT_ENOTFOUND) return NotFound(path + " is not a file of commit " + commit_hex);
  if (error < 0) return GitError(error, "cannot read " + path);
  TreeEntryPtr entry(raw);
  git_object_t type = git_tree_entry_type(entry.get());
  if (type == GIT_OBJECT_TREE) return NotFound(path + " is not a file of commit " + commit_hex);
  TreeFile file;
  file.path = path;
  file.oid = OidHex(*git_tree_entry_id(entry.get()));
  file.mode = static_cast<uint32_t>(git_tree_entry_filemode(entry.get()));
  if (type == GIT_OBJECT_BLOB) {
    git_odb* odb = nullptr;
    error = git_repository_odb(&odb, repo_.get());
    if (error < 0) return GitError(error, "cannot open the object database");
    size_t size = 0;
    git_object_t header_type;
    error = git_odb_read_header(&size, &header_type, odb, git_tree_entry_id(entry.get()));
    git_odb_free(odb);
    if (error < 0) return GitError(error, "cannot read " + path);
    file.size = static_cast<int64_t>(size);
  }
  return file;
}

StatusOr<std::string> Repo::ReadBlob(const std::string& blob_oid_hex) const {
  TRAIL_ASSIGN_OR_RETURN(git_oid id, ParseOid(blob_oid_hex));
  return BlobContent(repo_.get(), id);
}

StatusOr<std::string> Repo::ReadFileAt(const std::string& commit_hex, const std::string& path) const {
  TRAIL_ASSIGN_OR_RETURN(TreePtr root, LookupCommitTree(repo_.get(), commit_hex));
  if (path.empty()) return InvalidArgument("empty path");
  git_tree_entry* raw = nullptr;
  int error = root == nullptr ? GIT_ENOTFOUND : git_tree_entry_bypath(&raw, root.get(), path.c_str());
  if (error == GIT_ENOTFOUND) return NotFound(path + " does not exist in commit " + commit_hex);
  if (error < 0) return GitError(error, "cannot read " + path);
  TreeEntryPtr entry(raw);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
    return NotFound(path + " is not a file in commit " + commit_hex);
  }
  return BlobContent(repo_.get(), *git_tree_entry_id(entry.get()));
}

StatusOr<std::vector<TreeEntry>> Repo::ListDir(const std::string& commit_hex, const std::string& dir) const {
  TRAIL_ASSIGN_OR_RETURN(TreePtr root, LookupCommitTree(repo_.get(), commit_hex));
  TRAIL_ASSIGN_OR_RETURN(TreePtr tree, LookupSubtree(repo_.get(), root.get(), TrimSlashes(dir)));
  if (tree == nullptr) {
    return NotFound("directory '" + dir + "' does not exist in commit " + commit_hex);
  }
  std::vector<TreeEntry> entries;
  const size_t count = git_tree_entrycount(tree.get());
  entries.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree.get(), i);
    entries.push_back(TreeEntry{git_tree_entry_name(entry), OidHex(*git_tree_entry_id(entry)),
                                git_tree_entry_type(entry) == GIT_OBJECT_TREE});
  }
  return entries;
}

Status Repo::ForEachFile(const std::string& commit_hex, const std::string& prefix, const std::string& file_name,
                         const std::function<Status(const std::string& path, const std::string& oid)>& fn) const {
  TRAIL_ASSIGN_OR_RETURN(TreePtr root, LookupCommitTree(repo_.get(), commit_hex));
  const std::string dir = TrimSlashes(prefix);
  TRAIL_ASSIGN_OR_RETURN(TreePtr tree, LookupSubtree(repo_.get(), root.get(), dir));
  if (tree == nullptr) return Status::Ok();
  return WalkFiles(repo_.get(), tree.get(), dir, file_name, fn);
}

}  // namespace trail::git
