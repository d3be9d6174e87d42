// CommitFiles: adds a commit to a branch that is not checked out, without a
// working tree or an index, and moves the branch with compare-and-swap.
#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "git/git_util.h"
#include "git/repo.h"

namespace trail::git {

using internal::CommitPtr;
using internal::GitError;
using internal::OidHex;
using internal::ReferencePtr;
using internal::TreeEntryPtr;
using internal::TreePtr;
using internal::ValidateRelativePath;

namespace {

// Each lost race means another writer's commit landed, so this bounds the
// work, not the waiting.
constexpr int kMaxRetries = 10;
// Lock contention means another writer is mid-update; it lasts microseconds
// unless a crashed process left a stale "<ref>.lock", which this reports
// after about a second of retries.
constexpr int kMaxLockWaits = 200;

Status RefuseCheckedOut(git_repository* repo, const std::string& branch_ref) {
  const std::string refusal = branch_ref +
                              " is checked out; trail writes only to branches that are not, so "
                              "your working tree and index stay untouched";
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo, "HEAD") == 0) {
    ReferencePtr head(raw);
    if (git_reference_type(head.get()) == GIT_REFERENCE_SYMBOLIC &&
        branch_ref == git_reference_symbolic_target(head.get())) {
      return FailedPrecondition(refusal);
    }
  }
  // Other worktrees of the same repository have HEADs of their own.
  if (branch_ref.starts_with("refs/heads/") && git_reference_lookup(&raw, repo, branch_ref.c_str()) == 0) {
    ReferencePtr branch(raw);
    if (git_branch_is_checked_out(branch.get()) == 1) return FailedPrecondition(refusal);
  }
  return Status::Ok();
}

// The current tip of `branch_ref`, or null when the branch does not exist.
StatusOr<CommitPtr> ReadTip(git_repository* repo, const std::string& branch_ref) {
  git_reference* raw = nullptr;
  int error = git_reference_lookup(&raw, repo, branch_ref.c_str());
  if (error == GIT_ENOTFOUND) return CommitPtr();
  if (error < 0) return GitError(error, "cannot read " + branch_ref);
  ReferencePtr ref(raw);
  if (git_reference_type(ref.get()) != GIT_REFERENCE_DIRECT) {
    return InvalidArgument(branch_ref + " is a symbolic ref; trail needs a branch of its own");
  }
  git_object* peeled = nullptr;
  error = git_reference_peel(&peeled, ref.get(), GIT_OBJECT_COMMIT);
  if (error < 0) return GitError(error, branch_ref + " does not point to a commit");
  return CommitPtr(reinterpret_cast<git_commit*>(peeled));
}

bool EntryExists(const git_tree* tree, const std::string& path) {
  if (tree == nullptr) return false;
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree, path.c_str()) < 0) return false;
  TreeEntryPtr entry(raw);
  return true;
}

void BackOff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  const int max_us = 200 * std::min(attempt + 1, 50);
  std::this_thread::sleep_for(std::chrono::microseconds(rng() % max_us + 50));
}

}  // namespace

StatusOr<std::string> Repo::CommitFiles(const std::string& branch_ref, const std::vector<FileWrite>& writes,
                                        const std::string& message, const Identity& who) {
  git_repository* repo = repo_.get();
  if (!branch_ref.starts_with("refs/")) {
    return InvalidArgument("'" + branch_ref + "' is not a full ref name (refs/...)");
  }
  int valid = 0;
  if (git_reference_name_is_valid(&valid, branch_ref.c_str()) < 0 || !valid) {
    return InvalidArgument("'" + branch_ref + "' is not a valid ref name");
  }
  TRAIL_RETURN_IF_ERROR(RefuseCheckedOut(repo, branch_ref));

  // The last write to a path wins. Blobs do not depend on the tip, so they
  // are written once, outside the retry loop.
  struct Pending {
    bool remove = false;
    git_oid blob{};
  };
  std::map<std::string, Pending> pending;
  for (const FileWrite& write : writes) {
    TRAIL_RETURN_IF_ERROR(ValidateRelativePath(write.path));
    Pending p;
    p.remove = write.remove;
    if (!write.remove) {
      int error = git_blob_create_from_buffer(&p.blob, repo, write.content.data(), write.content.size());
      if (error < 0) return GitError(error, "cannot store " + write.path);
    }
    pending[write.path] = p;
  }

  int races = 0;
  int lock_waits = 0;
  while (true) {
    TRAIL_ASSIGN_OR_RETURN(CommitPtr tip, ReadTip(repo, branch_ref));
    TreePtr base;
    if (tip != nullptr) {
      git_tree* raw_tree = nullptr;
      int error = git_commit_tree(&raw_tree, tip.get());
      if (error < 0) return GitError(error, "cannot read the tree of " + branch_ref);
      base.reset(raw_tree);
    }

    std::vector<git_tree_update> removals, upserts;
    for (const auto& [path, p] : pending) {
      git_tree_update update{};
      update.path = path.c_str();
      if (p.remove) {
        // Removing what is not there is a no-op, not an error.
        if (!EntryExists(base.get(), path)) continue;
        update.action = GIT_TREE_UPDATE_REMOVE;
        removals.push_back(update);
      } else {
        update.action = GIT_TREE_UPDATE_UPSERT;
        update.id = p.blob;
        update.filemode = GIT_FILEMODE_BLOB;
        upserts.push_back(update);
      }
    }
    TRAIL_ASSIGN_OR_RETURN(git_oid tree_id, internal::UpdateTree(repo, base.get(), removals, upserts));
    if (tip != nullptr && git_oid_equal(&tree_id, git_tree_id(base.get()))) {
      return OidHex(*git_commit_id(tip.get()));  // nothing to record
    }

    std::vector<const git_commit*> parents;
    if (tip != nullptr) parents.push_back(tip.get());
    TRAIL_ASSIGN_OR_RETURN(git_oid commit_id, internal::CreateCommit(repo, tree_id, parents, message, who));

    git_reference* raw_ref = nullptr;
    int error;
    if (tip != nullptr) {
      // Moves the ref only if it still points at the tip we built on.
      error = git_reference_create_matching(&raw_ref, repo, branch_ref.c_str(), &commit_id,
                                            /*force=*/1, git_commit_id(tip.get()), message.c_str());
    } else {
      // Creates the ref only if no other writer created it first.
      error = git_reference_create(&raw_ref, repo, branch_ref.c_str(), &commit_id, /*force=*/0, message.c_str());
    }
    if (error == 0) {
      ReferencePtr owned(raw_ref);
      return OidHex(commit_id);
    }
    if (error == GIT_EMODIFIED || error == GIT_EEXISTS) {
      if (++races > kMaxRetries) {
        return GitError(error,
                        "gave up updating " + branch_ref + " after " + std::to_string(races) + " concurrent updates");
      }
      // Jitter, so that writers that keep colliding fall out of step.
      BackOff(races);
    } else if (error == GIT_ELOCKED) {
      if (++lock_waits >= kMaxLockWaits) {
        return GitError(error, "cannot lock " + branch_ref + " (a stale .lock file in " + gitdir() + "?)");
      }
      BackOff(lock_waits);
    } else {
      return GitError(error, "cannot update " + branch_ref);
    }
  }
}

}  // namespace trail::git

namespace trail::git {

StatusOr<std::string> Repo::WriteCommitOnto(const std::string& base_commit, const std::vector<FileWrite>& writes,
                                            const std::vector<std::string>& parents, const std::string& message,
                                            const Identity& who) {
  git_repository* repo = repo_.get();
  TRAIL_ASSIGN_OR_RETURN(TreePtr base, internal::LookupCommitTree(repo, base_commit));
  // The last write to a path wins; paths must outlive the updates that point into them.
  std::map<std::string, const FileWrite*> last;
  for (const FileWrite& write : writes) {
    TRAIL_RETURN_IF_ERROR(ValidateRelativePath(write.path));
    last[write.path] = &write;
  }
  std::vector<git_tree_update> removals, upserts;
  for (const auto& [path, write] : last) {
    git_tree_update update{};
    update.path = path.c_str();
    if (write->remove) {
      if (!EntryExists(base.get(), path)) continue;
      update.action = GIT_TREE_UPDATE_REMOVE;
      removals.push_back(update);
      continue;
    }
    int error = git_blob_create_from_buffer(&update.id, repo, write->content.data(), write->content.size());
    if (error < 0) return GitError(error, "cannot store " + path);
    update.action = GIT_TREE_UPDATE_UPSERT;
    update.filemode = GIT_FILEMODE_BLOB;
    upserts.push_back(update);
  }
  TRAIL_ASSIGN_OR_RETURN(git_oid tree_id, internal::UpdateTree(repo, base.get(), removals, upserts));
  std::vector<CommitPtr> owned;
  std::vector<const git_commit*> parent_commits;
  for (const std::string& parent : parents) {
    TRAIL_ASSIGN_OR_RETURN(CommitPtr commit, internal::LookupCommit(repo, parent));
    parent_commits.push_back(commit.get());
    owned.push_back(std::move(commit));
  }
  TRAIL_ASSIGN_OR_RETURN(git_oid commit_id, internal::CreateCommit(repo, tree_id, parent_commits, message, who));
  return OidHex(commit_id);
}

}  // namespace trail::git
