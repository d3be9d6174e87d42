// Private helpers shared by the .cc files of the Git layer: owning handles for
// libgit2 objects, error conversion, id and path helpers. Not part of the
// layer's interface (repo.h is).
#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <vector>

#include "git/repo.h"
#include "trail/status.h"

namespace trail::git::internal {

// Every libgit2 object this layer holds is owned by one of these.
template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitDeleter<T, Free>>;

using BlobPtr = GitPtr<git_blob, git_blob_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using ConfigPtr = GitPtr<git_config, git_config_free>;
using DiffPtr = GitPtr<git_diff, git_diff_free>;
using DiffStatsPtr = GitPtr<git_diff_stats, git_diff_stats_free>;
using IndexPtr = GitPtr<git_index, git_index_free>;
using ObjectPtr = GitPtr<git_object, git_object_free>;
using OdbPtr = GitPtr<git_odb, git_odb_free>;
using ReferencePtr = GitPtr<git_reference, git_reference_free>;
using RepositoryPtr = GitPtr<git_repository, git_repository_free>;
using SignaturePtr = GitPtr<git_signature, git_signature_free>;
using StatusListPtr = GitPtr<git_status_list, git_status_list_free>;
using TreeBuilderPtr = GitPtr<git_treebuilder, git_treebuilder_free>;
using TreeEntryPtr = GitPtr<git_tree_entry, git_tree_entry_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;

// A git_buf that frees itself.
class Buf {
 public:
  Buf() = default;
  ~Buf() { git_buf_dispose(&buf_); }
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  git_buf* get() { return &buf_; }
  std::string str() const { return std::string(buf_.ptr ? buf_.ptr : "", buf_.size); }

 private:
  git_buf buf_ = GIT_BUF_INIT;
};

// Runs git_libgit2_init() and the global options once per process.
void EnsureLibgit2();

// Turns libgit2's return code plus its thread-local last error into a
// Status: "<context>: <libgit2 message>".
Status GitError(int error, const std::string& context);

std::string OidHex(const git_oid& oid);
// A full 40-hex object id.
StatusOr<git_oid> ParseOid(const std::string& hex);

// The commit named by `rev`: a full hex id, or anything git_revparse_single
// understands (ref names, abbreviated ids). Tags are peeled.
StatusOr<CommitPtr> LookupCommit(git_repository* repo, const std::string& rev);
// The tree of commit `rev`; "" gives a null pointer, meaning the empty tree.
StatusOr<TreePtr> LookupCommitTree(git_repository* repo, const std::string& rev);
// The subtree at `dir` ("" = `root` itself). Null when `root` is null or the
// path does not exist or is not a directory.
StatusOr<TreePtr> LookupSubtree(git_repository* repo, const git_tree* root, const std::string& dir);

// `dir` without leading or trailing slashes, so "runs/" and "runs" agree.
std::string TrimSlashes(const std::string& dir);

// `who`, with "trail" / "trail@localhost" for empty fields, stamped now.
StatusOr<SignaturePtr> MakeSignature(const Identity& who);
// Commit messages end with a newline, as `git commit` writes them.
std::string NormalizeMessage(const std::string& message);

// A path relative to a tree root: non-empty components separated by single
// slashes, none of them "." / ".." / ".git". InvalidArgument otherwise.
Status ValidateRelativePath(const std::string& path);

// Applies `removals` and then `upserts` on top of `base` (null = empty tree)
// and returns the new tree id. Only the trees along the updated paths are
// read and rewritten. Removals go in a pass of their own so that a path can
// change between file and directory in one call (git_tree_create_updated
// refuses that within a single pass). Every removal must name an existing
// entry of `base`; git_tree_update::path must stay valid during the call.
StatusOr<git_oid> UpdateTree(git_repository* repo, const git_tree* base, const std::vector<git_tree_update>& removals,
                             const std::vector<git_tree_update>& upserts);

// Writes a commit (moving no ref) and returns its id.
StatusOr<git_oid> CreateCommit(git_repository* repo, const git_oid& tree, const std::vector<const git_commit*>& parents,
                               const std::string& message, const Identity& who);

}  // namespace trail::git::internal
