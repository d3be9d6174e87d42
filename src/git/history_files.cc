// Walking every file of every commit reachable from a set of refs, each distinct blob once:
// how gc and fsck find every pointer file and run record that still needs an object. Trees
// already seen are skipped by id, so the cost is the number of distinct trees in the history,
// not commits x files.
#include <cstring>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "git/git_util.h"
#include "git/repo.h"

namespace trail::git {
namespace {

using internal::BlobPtr;
using internal::GitError;
using internal::ObjectPtr;
using internal::OidHex;
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

namespace {

struct RefTips {
  std::vector<git_oid> commits;
  std::vector<git_oid> trees;  // tags of trees: their files count too
};

// Where one ref points, peeled through annotated tags. Anything that cannot be read is an
// error: the files under it are unknowable, and a caller that keeps what they name (gc) must
// not mistake a damaged repository for a smaller one. Branches and trail's refs must name
// commits; a tag may name any object (a tag of a blob holds no files).
Status AddRefTip(git_repository* repo, const char* name, RefTips& tips) {
  git_oid id;
  int error = git_reference_name_to_id(&id, repo, name);
  if (error < 0) return GitError(error, std::string("cannot resolve ") + name);
  git_object* raw = nullptr;
  error = git_object_lookup(&raw, repo, &id, GIT_OBJECT_ANY);
  if (error < 0) return GitError(error, std::string(name) + " names " + OidHex(id) + ", which cannot be read");
  ObjectPtr object(raw);
  const bool is_tag_ref = std::string_view(name).starts_with("refs/tags/");
  while (git_object_type(object.get()) == GIT_OBJECT_TAG) {
    git_object* target = nullptr;
    error = git_tag_target(&target, reinterpret_cast<git_tag*>(object.get()));
    if (error < 0) return GitError(error, std::string("cannot read the target of tag ") + name);
    object.reset(target);
  }
  const git_object_t type = git_object_type(object.get());
  if (type == GIT_OBJECT_COMMIT) {
    tips.commits.push_back(*git_object_id(object.get()));
  } else if (is_tag_ref && type == GIT_OBJECT_TREE) {
    tips.trees.push_back(*git_object_id(object.get()));
  } else if (!is_tag_ref || type != GIT_OBJECT_BLOB) {
    return FailedPrecondition(std::string(name) + " names " + OidHex(id) + ", a " + git_object_type2string(type) +
                              ", not a commit");
  }
  return Status::Ok();
}

struct GlobPayload {
  git_repository* repo;
  RefTips* tips;
  Status status;
};

}  // namespace

Status Repo::ForEachFileInHistory(
    const std::vector<std::string>& ref_globs, const std::function<bool(std::string_view name)>& want,
    const std::function<Status(const std::string& path, const std::string& content)>& fn) {
  RefTips tips;
  for (const std::string& glob : ref_globs) {
    GlobPayload payload{repo_.get(), &tips, Status::Ok()};
    const int error = git_reference_foreach_glob(
        repo_.get(), glob.c_str(),
        [](const char* name, void* data) -> int {
          auto* p = static_cast<GlobPayload*>(data);
          p->status = AddRefTip(p->repo, name, *p->tips);
          return p->status.ok() ? 0 : 1;
        },
        &payload);
    TRAIL_RETURN_IF_ERROR(payload.status);
    if (error < 0) return GitError(error, "cannot list refs " + glob);
  }
  Walker w{repo_.get(), want, fn, {}, {}};
  for (const git_oid& tree : tips.trees) TRAIL_RETURN_IF_ERROR(w.Tree(tree, ""));
  if (tips.commits.empty()) return Status::Ok();
  git_revwalk* raw_walk = nullptr;
  int error = git_revwalk_new(&raw_walk, repo_.get());
  if (error < 0) return GitError(error, "cannot walk history");
  std::unique_ptr<git_revwalk, void (*)(git_revwalk*)> walk(raw_walk, git_revwalk_free);
  for (const git_oid& commit : tips.commits) {
    error = git_revwalk_push(walk.get(), &commit);
    if (error < 0) return GitError(error, "cannot walk history from " + OidHex(commit));
  }
  git_oid id;
  while ((error = git_revwalk_next(&id, walk.get())) == 0) {
    git_commit* c = nullptr;
    // A commit the walk reached but that cannot be read: its files are unknowable.
    error = git_commit_lookup(&c, repo_.get(), &id);
    if (error < 0) return GitError(error, "cannot read commit " + OidHex(id));
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
