// DiffFiles: which blobs changed between two commits.
//
// A walk of our own rather than git_diff_tree_to_tree: it compares subtree
// ids before reading them, so unchanged directories cost nothing and finding
// the few changed run files among 100,000 reads only the trees above them.
#include <algorithm>
#include <string>
#include <vector>

#include "git/git_util.h"
#include "git/repo.h"

namespace trail::git {

using internal::GitError;
using internal::LookupCommitTree;
using internal::LookupSubtree;
using internal::OidHex;
using internal::TreePtr;
using internal::TrimSlashes;

namespace {

class TreeDiffer {
 public:
  TreeDiffer(git_repository* repo, const std::string& file_name, std::vector<Change>* out)
      : repo_(repo), file_name_(file_name), out_(out) {}

  // Either tree may be null (empty).
  Status Diff(const git_tree* old_tree, const git_tree* new_tree, const std::string& dir) {
    if (old_tree != nullptr && new_tree != nullptr && git_oid_equal(git_tree_id(old_tree), git_tree_id(new_tree))) {
      return Status::Ok();
    }
    // Entries of the old tree: deleted, changed, or (same kind) recursed into.
    for (size_t i = 0; old_tree != nullptr && i < git_tree_entrycount(old_tree); ++i) {
      const git_tree_entry* old_entry = git_tree_entry_byindex(old_tree, i);
      const char* name = git_tree_entry_name(old_entry);
      const git_tree_entry* new_entry = new_tree != nullptr ? git_tree_entry_byname(new_tree, name) : nullptr;
      const git_object_t new_type = new_entry != nullptr ? git_tree_entry_type(new_entry) : GIT_OBJECT_INVALID;
      TRAIL_RETURN_IF_ERROR(Compare(old_entry, new_type == git_tree_entry_type(old_entry) ? new_entry : nullptr, dir));
    }
    // Entries only the new tree has (or has with another kind): added.
    for (size_t i = 0; new_tree != nullptr && i < git_tree_entrycount(new_tree); ++i) {
      const git_tree_entry* new_entry = git_tree_entry_byindex(new_tree, i);
      const git_tree_entry* old_entry =
          old_tree != nullptr ? git_tree_entry_byname(old_tree, git_tree_entry_name(new_entry)) : nullptr;
      if (old_entry != nullptr && git_tree_entry_type(old_entry) == git_tree_entry_type(new_entry)) {
        continue;  // handled above
      }
      TRAIL_RETURN_IF_ERROR(Compare(nullptr, new_entry, dir));
    }
    return Status::Ok();
  }

 private:
  // Two entries of one name and kind (either may be null).
  Status Compare(const git_tree_entry* old_entry, const git_tree_entry* new_entry, const std::string& dir) {
    const git_tree_entry* any = old_entry != nullptr ? old_entry : new_entry;
    const std::string name = git_tree_entry_name(any);
    const std::string path = dir.empty() ? name : dir + "/" + name;
    if (old_entry != nullptr && new_entry != nullptr &&
        git_oid_equal(git_tree_entry_id(old_entry), git_tree_entry_id(new_entry))) {
      return Status::Ok();
    }
    switch (git_tree_entry_type(any)) {
      case GIT_OBJECT_TREE: {
        TRAIL_ASSIGN_OR_RETURN(TreePtr old_tree, LoadTree(old_entry, path));
        TRAIL_ASSIGN_OR_RETURN(TreePtr new_tree, LoadTree(new_entry, path));
        return Diff(old_tree.get(), new_tree.get(), path);
      }
      case GIT_OBJECT_BLOB:
        if (file_name_.empty() || file_name_ == name) {
          out_->push_back(Change{path, old_entry ? OidHex(*git_tree_entry_id(old_entry)) : "",
                                 new_entry ? OidHex(*git_tree_entry_id(new_entry)) : ""});
        }
        return Status::Ok();
      default:  // submodule commits are not blobs
        return Status::Ok();
    }
  }

  StatusOr<TreePtr> LoadTree(const git_tree_entry* entry, const std::string& path) {
    if (entry == nullptr) return TreePtr();
    git_tree* raw = nullptr;
    int error = git_tree_lookup(&raw, repo_, git_tree_entry_id(entry));
    if (error < 0) return GitError(error, "cannot read directory " + path);
    return TreePtr(raw);
  }

  git_repository* repo_;
  const std::string& file_name_;
  std::vector<Change>* out_;
};

}  // namespace

StatusOr<std::vector<Change>> Repo::DiffFiles(const std::string& old_commit, const std::string& new_commit,
                                              const std::string& prefix, const std::string& file_name) const {
  const std::string dir = TrimSlashes(prefix);
  TRAIL_ASSIGN_OR_RETURN(TreePtr old_root, LookupCommitTree(repo_.get(), old_commit));
  TRAIL_ASSIGN_OR_RETURN(TreePtr new_root, LookupCommitTree(repo_.get(), new_commit));
  TRAIL_ASSIGN_OR_RETURN(TreePtr old_tree, LookupSubtree(repo_.get(), old_root.get(), dir));
  TRAIL_ASSIGN_OR_RETURN(TreePtr new_tree, LookupSubtree(repo_.get(), new_root.get(), dir));
  std::vector<Change> changes;
  TreeDiffer differ(repo_.get(), file_name, &changes);
  TRAIL_RETURN_IF_ERROR(differ.Diff(old_tree.get(), new_tree.get(), dir));
  std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.path < b.path; });
  return changes;
}

}  // namespace trail::git
