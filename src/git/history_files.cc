// Walking every file of every commit reachable from a set of refs, each distinct blob once:
// how gc and fsck find every pointer file and run record that still needs an object. Trees
// already seen are skipped by id, so the cost is the number of distinct trees in the history,
// not commits x files.
#include <cstring>
#include <unordered_set>

#include "git/git_util.h"
#include "git/repo.h"

namespace trail::git {
namespace {

using internal::BlobPtr;
using internal::GitError;
using internal::TreePtr;

struct OidHash {
  size_t operator()(const git_oid& o) const {
    size_t h;
    std::memcpy(&h, o.id, sizeof(h));
    return h;
  }
};
struct OidEq {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b); }
};
using OidSet = std::unordered_set<git_oid, OidHash, OidEq>;

struct Walker {
  git_repository* repo;
  const std::function<bool(std::string_view)>& want;
  const std::function<Status(const std::string&, const std::string&)>& fn;
  OidSet trees, blobs;

  Status Tree(const git_oid& id, const std::string& prefix) {
    if (!trees.insert(id).second) return Status::Ok();
    git_tree* raw = nullptr;
    int error = git_tree_lookup(&raw, repo, &id);
    if (error < 0) return GitError(error, "cannot read tree");
    TreePtr tree(raw);
    const size_t n = git_tree_entrycount(tree.get());
    for (size_t i = 0; i < n; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(tree.get(), i);
      const std::string name = git_tree_entry_name(e);
      const std::string path = prefix.empty() ? name : prefix + "/" + name;
      const git_object_t type = git_tree_entry_type(e);
      if (type == GIT_OBJECT_TREE) {
        TRAIL_RETURN_IF_ERROR(Tree(*git_tree_entry_id(e), path));
      } else if (type == GIT_OBJECT_BLOB && want(name)) {
        if (!blobs.insert(*git_tree_entry_id(e)).second) continue;
        git_blob* b = nullptr;
        error = git_blob_lookup(&b, repo, git_tree_entry_id(e));
        if (error < 0) return GitError(error, "cannot read " + path);
        BlobPtr blob(b);
        const std::string content(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                                  static_cast<size_t>(git_blob_rawsize(blob.get())));
        TRAIL_RETURN_IF_ERROR(fn(path, content));
      }
    }
    return Status::Ok();
  }
};

}  // namespace

Status Repo::ForEachFileInHistory(const std::vector<std::string>& ref_globs,
                                  const std::function<bool(std::string_view name)>& want,
                                  const std::function<Status(const std::string& path, const std::string& content)>& fn) {
  git_revwalk* raw_walk = nullptr;
  int error = git_revwalk_new(&raw_walk, repo_.get());
  if (error < 0) return GitError(error, "cannot walk history");
  std::unique_ptr<git_revwalk, void (*)(git_revwalk*)> walk(raw_walk, git_revwalk_free);
  bool any = false;
  for (const std::string& glob : ref_globs) {
    error = git_revwalk_push_glob(walk.get(), glob.c_str());
    if (error == 0) any = true;
    // A glob that matches nothing, or a tag that points at a blob, is not an error here.
  }
  if (!any) return Status::Ok();
  Walker w{repo_.get(), want, fn, {}, {}};
  git_oid id;
  while ((error = git_revwalk_next(&id, walk.get())) == 0) {
    git_commit* c = nullptr;
    if (git_commit_lookup(&c, repo_.get(), &id) < 0) continue;
    const git_oid tree = *git_commit_tree_id(c);
    git_commit_free(c);
    TRAIL_RETURN_IF_ERROR(w.Tree(tree, ""));
  }
  if (error != GIT_ITEROVER) return GitError(error, "cannot walk history");
  return Status::Ok();
}

StatusOr<bool> Repo::IsTracked(const std::string& rel_path) const {
  git_index* raw = nullptr;
  int error = git_repository_index(&raw, repo_.get());
  if (error < 0) return GitError(error, "cannot read the Git index");
  internal::IndexPtr index(raw);
  if (git_index_get_bypath(index.get(), rel_path.c_str(), 0) != nullptr) return true;
  // A folder: any entry under it.
  size_t at = 0;
  const std::string prefix = rel_path + "/";
  if (git_index_find_prefix(&at, index.get(), prefix.c_str()) == 0) return true;
  return false;
}

}  // namespace trail::git
