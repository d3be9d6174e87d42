// The Git layer: everything trail needs from the user's repository, over
// libgit2.
//
// The cardinal rule of this layer: nothing here changes the user's checked-out
// branch, HEAD, index file (byte for byte, stat cache included), working tree
// or `git status` output. Everything is written through the object database;
// the only refs that move are the ones a caller names explicitly (SetRef,
// CommitFiles), and CommitFiles refuses the checked-out branch.
//
// Object ids cross this interface as 40-character lowercase hex strings.
// Arguments named `*_commit` also accept anything `git rev-parse` accepts
// (a ref name, an abbreviated id), which keeps tests and callers short.
//
// A Repo is not thread-safe: use one Repo per thread (several Repo objects on
// the same repository, in one process or many, are fine).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/secrets.h"
#include "trail/status.h"

// libgit2 stays a private dependency of this layer: callers only see the
// opaque handle.
struct git_repository;

namespace trail::git {

// Author/committer identity. Empty fields mean "unset".
struct Identity {
  std::string name, email;
};

struct HeadInfo {
  // Short branch name ("main"), as `git rev-parse --abbrev-ref HEAD` prints
  // it; "" when HEAD is detached.
  std::string branch;
  // Commit hex; "" when unborn (a branch with no commits yet).
  std::string commit;
  bool unborn = false;
};

struct SnapshotOptions {
  // Untracked files bigger than this are left out of the snapshot (and listed
  // in Snapshot::skipped): a stray dataset or checkpoint must not be copied
  // into the object database on every run. Tracked files are always recorded.
  uint64_t max_untracked_file_bytes = 10 << 20;
  // Only find what differs from HEAD (dirty, changed, skipped): files are
  // hashed but nothing is written to the object database, and the result has
  // no commit or tree. For `trail context`, which must not write anything.
  bool dry_run = false;
  // Untracked files under these folders (relative to the root, no trailing '/') are left out
  // and listed in `skipped`: a run's output folders, kept in the object store instead.
  std::vector<std::string> skip_untracked_under;
  // Untracked files matching these patterns (see MatchesFilePattern) are
  // secrets by convention: left out and listed in `excluded`, so a run's
  // snapshot (and `trail push`) never carries them. Tracked files are the
  // user's, already in Git, and are recorded whatever their name.
  std::vector<std::string> secret_files = DefaultSecretFiles();
};

struct Snapshot {
  std::string commit;  // the snapshot commit (no ref points to it)
  std::string tree;
  // True when the working tree differs from HEAD in any way, including
  // untracked files that were skipped.
  bool dirty = false;
  std::vector<std::string> changed;   // recorded paths that differ from HEAD, sorted
  std::vector<std::string> skipped;   // untracked paths left out, sorted ("dir/" for nested repos)
  std::vector<std::string> excluded;  // untracked paths left out as secrets (secret_files), sorted
};

// One file to write into (or remove from) a branch. `path` is relative to the
// branch root, e.g. "runs/000/fraud-58/run.yaml". Removing a path that does not
// exist is a no-op; removing a directory removes everything under it.
struct FileWrite {
  std::string path;
  std::string content;
  bool remove = false;
};

struct TreeEntry {
  std::string name;
  std::string oid;
  bool is_tree;  // false for blobs (files, symlinks) and submodule commits
};

// A non-directory entry of a commit's tree (ForEachTreeFile).
struct TreeFile {
  std::string path;  // '/'-separated, from the tree's root
  std::string oid;
  uint32_t mode = 0;  // Git's: 0100644 file, 0100755 executable, 0120000 link, 0160000 submodule
  int64_t size = 0;   // blobs (files, links), read from the object header; 0 for submodules
};

// A blob that differs between two commits. old_oid "" = added; new_oid "" =
// deleted.
struct Change {
  std::string path;
  std::string old_oid;
  std::string new_oid;
};

class Repo {
 public:
  // Finds the repository containing `dir` (like `git rev-parse`).
  // FailedPrecondition("<dir> is not inside a Git repository") if there is
  // none. Bare repositories are refused: trail records a working tree.
  static StatusOr<std::unique_ptr<Repo>> Discover(const std::string& dir);
  // `git init` (non-bare, creating `dir` if needed). The initial branch
  // follows init.defaultBranch.
  static StatusOr<std::unique_ptr<Repo>> Init(const std::string& dir);

  ~Repo();
  Repo(const Repo&) = delete;
  Repo& operator=(const Repo&) = delete;

  std::string workdir() const;  // absolute, no trailing slash
  std::string gitdir() const;   // absolute, no trailing slash
  // The git dir shared by all worktrees of the repository (== gitdir() outside linked worktrees).
  std::string commondir() const;
  // user.name / user.email from git config; empty fields when unset.
  Identity identity() const;
  StatusOr<HeadInfo> Head() const;

  // Records the exact source tree that is about to run: HEAD's tree, plus
  // every tracked file's working-tree content (staged or not; deleted files
  // removed), plus untracked files that are not ignored, as a commit whose
  // parent is HEAD (no parent if unborn) with author/committer `who` ("trail
  // <trail@localhost>" for empty fields). Executable bits and symlinks are
  // kept; submodules are recorded as HEAD has them. Creates no ref and never
  // writes the index.
  StatusOr<Snapshot> SnapshotWorktree(const SnapshotOptions& opts, const std::string& message, const Identity& who);
  // The same through the `git` command and a temporary index file, for
  // repositories whose index libgit2 cannot read (split index, sparse index).
  // Slower; untracked files are not size-filtered (git add -A decides), but
  // secret files are left out as opts.secret_files says.
  StatusOr<Snapshot> SnapshotWorktreeWithGitCli(const SnapshotOptions& opts, const std::string& message,
                                                const Identity& who);

  // Creates or moves `ref` (a full name, e.g. "refs/trail/code/fraud-58") to
  // a commit, writing `log_message` to its reflog when it has one.
  Status SetRef(const std::string& ref, const std::string& commit_hex, const std::string& log_message);
  // The commit a full ref name points to (peeled), or nullopt if the ref does
  // not exist (or is a symbolic ref to an unborn branch). A ref that exists
  // but points at a missing object or at no commit is Corrupt, naming it.
  StatusOr<std::optional<std::string>> ResolveRef(const std::string& ref) const;
  // Moves `ref` to `commit_hex` only if it still points at `expected_hex` ("" = only if it does
  // not exist yet): compare-and-swap. False, and nothing changed, when another writer moved it.
  StatusOr<bool> MoveRef(const std::string& ref, const std::string& commit_hex, const std::string& expected_hex,
                         const std::string& log_message);
  // Removes `ref`; removing a ref that does not exist is not an error.
  Status DeleteRef(const std::string& ref);
  // The best common ancestor of two commits (`git merge-base`), or nullopt when their
  // histories are unrelated.
  StatusOr<std::optional<std::string>> MergeBase(const std::string& a_commit, const std::string& b_commit) const;
  // Writes a commit whose tree is `base_commit`'s with `writes` applied (only the trees along
  // the written paths are rewritten) and whose parents are `parents`, in order. Moves no ref.
  StatusOr<std::string> WriteCommitOnto(const std::string& base_commit, const std::vector<FileWrite>& writes,
                                        const std::vector<std::string>& parents, const std::string& message,
                                        const Identity& who);

  // Applies `writes` on top of the tip of `branch_ref` (created as a root
  // commit if missing) and moves the ref to a new commit whose parent is the
  // old tip, with compare-and-swap: if another writer moved the tip
  // meanwhile, the writes are re-applied on the new tip (up to 10 times), so
  // no update is lost even without the caller's file lock. Only the trees
  // along each written path are rewritten. Returns the new tip; when the
  // writes change nothing, no commit is made and the old tip is returned.
  // Refuses (FailedPrecondition) a branch that is checked out in any worktree.
  StatusOr<std::string> CommitFiles(const std::string& branch_ref, const std::vector<FileWrite>& writes,
                                    const std::string& message, const Identity& who);

  StatusOr<std::string> ReadBlob(const std::string& blob_oid_hex) const;
  // Content of the file at `path` in `commit_hex`; NotFound if there is no
  // file there.
  StatusOr<std::string> ReadFileAt(const std::string& commit_hex, const std::string& path) const;
  // Entries of directory `dir` ("" = root) in `commit_hex`, in tree order;
  // NotFound if the directory does not exist.
  StatusOr<std::vector<TreeEntry>> ListDir(const std::string& commit_hex, const std::string& dir) const;
  // Calls fn(path, blob_oid_hex) for every blob under `prefix` ("" = root)
  // whose file name equals `file_name` (every blob if `file_name` is empty),
  // in tree order (as `git ls-tree -r` lists them). A missing prefix has no
  // files. Stops and returns fn's error if fn fails.
  Status ForEachFile(const std::string& commit_hex, const std::string& prefix, const std::string& file_name,
                     const std::function<Status(const std::string& path, const std::string& oid)>& fn) const;
  // Calls fn for every file, link and submodule of the commit's tree, recursively, in tree
  // order; `commit_hex` must be a full commit id (InvalidArgument otherwise; NotFound when the
  // repository lacks it). Stops and returns fn's error if fn fails.
  Status ForEachTreeFile(const std::string& commit_hex, const std::function<Status(const TreeFile&)>& fn) const;
  // The entry at `path` of the commit's tree, as ForEachTreeFile gives it; NotFound when there is
  // none or it is a directory.
  StatusOr<TreeFile> StatTreeFile(const std::string& commit_hex, const std::string& path) const;
  // Blob changes under `prefix` between two commits (`old_commit` "" = the
  // empty tree), restricted to files named `file_name` if it is non-empty,
  // sorted by path. Subtrees with equal ids are skipped without being read,
  // so the cost follows the number of changed directories, not the size of
  // the tree. Mode-only changes are not reported.
  StatusOr<std::vector<Change>> DiffFiles(const std::string& old_commit, const std::string& new_commit,
                                          const std::string& prefix, const std::string& file_name) const;
  // Like `git merge-base --is-ancestor`: true when equal. False when either
  // commit does not exist.
  // Calls `fn(path, content)` once per distinct blob whose file name passes `want`, in every
  // commit reachable from refs matching `ref_globs` ("refs/heads/*", "refs/tags/*", ...), and
  // in trees that tags name. Fails, rather than skipping, on a ref that cannot be resolved or
  // names a missing object, a branch or refs/trail/ ref that names a non-commit, and any
  // commit, tree or wanted blob that cannot be read: callers (gc) must not take a damaged
  // history for a shorter one.
  Status ForEachFileInHistory(const std::vector<std::string>& ref_globs,
                              const std::function<bool(std::string_view name)>& want,
                              const std::function<Status(const std::string& path, const std::string& content)>& fn);
  // True when `rel_path` (a file, or a folder with any file under it) is in Git's index.
  StatusOr<bool> IsTracked(const std::string& rel_path) const;

  bool IsAncestor(const std::string& ancestor_commit, const std::string& descendant_commit) const;

  // `git diff --stat` and `git diff` (full patch, renames detected) between
  // the trees of two commits; `a_commit` "" = the empty tree.
  StatusOr<std::string> DiffStat(const std::string& a_commit, const std::string& b_commit) const;
  StatusOr<std::string> DiffPatch(const std::string& a_commit, const std::string& b_commit) const;

  // Writes one commit holding exactly `files` (path -> content; nested paths
  // create trees) with the given parents, moving no ref. Built bottom-up with
  // one tree builder per directory, so 100,000+ files are fine. A duplicate
  // path, or a path that is both a file and a directory, is InvalidArgument.
  StatusOr<std::string> WriteCommitFromFiles(const std::vector<std::pair<std::string, std::string>>& files,
                                             const std::vector<std::string>& parents, const std::string& message,
                                             const Identity& who);

 private:
  struct RepositoryDeleter {
    void operator()(git_repository* repo) const;
  };
  // Only the factories make Repos; the key keeps the constructor usable by
  // std::make_unique without making it public in practice.
  struct Key {
    explicit Key() = default;
  };

 public:
  Repo(Key, git_repository* repo);

 private:
  static StatusOr<std::unique_ptr<Repo>> Wrap(git_repository* raw, const std::string& dir);

  std::unique_ptr<git_repository, RepositoryDeleter> repo_;
};

}  // namespace trail::git
