// Naming commits: setting and resolving refs, and ancestry.
#include "git/git_util.h"
#include "git/repo.h"

namespace trail::git {

using internal::CommitPtr;
using internal::GitError;
using internal::LookupCommit;
using internal::ObjectPtr;
using internal::OidHex;
using internal::ReferencePtr;

Status Repo::SetRef(const std::string& ref, const std::string& commit_hex, const std::string& log_message) {
  // Checking that the target is a commit first keeps a typo from leaving a
  // ref that every later reader would trip over.
  TRAIL_ASSIGN_OR_RETURN(CommitPtr commit, LookupCommit(repo_.get(), commit_hex));
  git_reference* raw = nullptr;
  int error = git_reference_create(&raw, repo_.get(), ref.c_str(), git_commit_id(commit.get()),
                                   /*force=*/1, log_message.c_str());
  if (error < 0) return GitError(error, "cannot set " + ref);
  ReferencePtr owned(raw);
  return Status::Ok();
}

StatusOr<std::optional<std::string>> Repo::ResolveRef(const std::string& ref) const {
  git_reference* raw = nullptr;
  int error = git_reference_lookup(&raw, repo_.get(), ref.c_str());
  if (error == GIT_ENOTFOUND) return std::optional<std::string>();
  if (error < 0) return GitError(error, "cannot read ref " + ref);
  ReferencePtr reference(raw);
  git_reference* resolved_raw = nullptr;
  error = git_reference_resolve(&resolved_raw, reference.get());
  // A symbolic ref to a branch with no commits does not exist yet either.
  if (error == GIT_ENOTFOUND || error == GIT_EUNBORNBRANCH) return std::optional<std::string>();
  if (error < 0) return GitError(error, "cannot read ref " + ref);
  ReferencePtr resolved(resolved_raw);
  // From here on the ref exists: a target that is missing or not a commit is
  // damage to report, never "no commits yet" (that would hide every run).
  const git_oid* target = git_reference_target(resolved.get());
  git_object* object_raw = nullptr;
  error = target ? git_object_lookup(&object_raw, repo_.get(), target, GIT_OBJECT_ANY) : GIT_ENOTFOUND;
  if (error == GIT_ENOTFOUND) {
    return Corrupt("ref " + ref + " is damaged: it points at a missing object" +
                   (target ? " " + OidHex(*target) : std::string()));
  }
  if (error < 0) return GitError(error, "cannot read the object ref " + ref + " points at");
  ObjectPtr object(object_raw);
  git_object* peeled = nullptr;
  error = git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT);
  if (error < 0) {
    return Corrupt("ref " + ref + " is damaged: it points at a " +
                   git_object_type2string(git_object_type(object.get())) + " " + OidHex(*target) + ", not a commit");
  }
  ObjectPtr commit(peeled);
  return std::optional<std::string>(OidHex(*git_object_id(commit.get())));
}

StatusOr<bool> Repo::MoveRef(const std::string& ref, const std::string& commit_hex, const std::string& expected_hex,
                             const std::string& log_message) {
  TRAIL_ASSIGN_OR_RETURN(CommitPtr commit, LookupCommit(repo_.get(), commit_hex));
  git_reference* raw = nullptr;
  int error;
  if (expected_hex.empty()) {
    error = git_reference_create(&raw, repo_.get(), ref.c_str(), git_commit_id(commit.get()), /*force=*/0,
                                 log_message.c_str());
  } else {
    TRAIL_ASSIGN_OR_RETURN(git_oid expected, internal::ParseOid(expected_hex));
    error = git_reference_create_matching(&raw, repo_.get(), ref.c_str(), git_commit_id(commit.get()), /*force=*/1,
                                          &expected, log_message.c_str());
  }
  if (error == GIT_EMODIFIED || error == GIT_EEXISTS) return false;
  if (error < 0) return GitError(error, "cannot set " + ref);
  ReferencePtr owned(raw);
  return true;
}

Status Repo::DeleteRef(const std::string& ref) {
  git_reference* raw = nullptr;
  int error = git_reference_lookup(&raw, repo_.get(), ref.c_str());
  if (error == GIT_ENOTFOUND) return Status::Ok();
  if (error < 0) return GitError(error, "cannot read ref " + ref);
  ReferencePtr owned(raw);
  error = git_reference_delete(owned.get());
  if (error < 0 && error != GIT_ENOTFOUND) return GitError(error, "cannot delete " + ref);
  return Status::Ok();
}

StatusOr<std::optional<std::string>> Repo::MergeBase(const std::string& a_commit, const std::string& b_commit) const {
  TRAIL_ASSIGN_OR_RETURN(CommitPtr a, LookupCommit(repo_.get(), a_commit));
  TRAIL_ASSIGN_OR_RETURN(CommitPtr b, LookupCommit(repo_.get(), b_commit));
  git_oid base;
  int error = git_merge_base(&base, repo_.get(), git_commit_id(a.get()), git_commit_id(b.get()));
  if (error == GIT_ENOTFOUND) return std::optional<std::string>();
  if (error < 0) return GitError(error, "cannot find the merge base of " + a_commit + " and " + b_commit);
  return std::optional<std::string>(OidHex(base));
}

bool Repo::IsAncestor(const std::string& ancestor_commit, const std::string& descendant_commit) const {
  auto ancestor = LookupCommit(repo_.get(), ancestor_commit);
  auto descendant = LookupCommit(repo_.get(), descendant_commit);
  if (!ancestor.ok() || !descendant.ok()) return false;
  const git_oid* a = git_commit_id(ancestor->get());
  const git_oid* d = git_commit_id(descendant->get());
  if (git_oid_equal(a, d)) return true;
  return git_graph_descendant_of(repo_.get(), d, a) == 1;
}

}  // namespace trail::git
