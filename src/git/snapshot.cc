// SnapshotWorktree: the exact source tree that is about to run, as a commit.
//
// One status pass (HEAD -> index -> working tree) names every path that can
// differ from HEAD; only those paths are hashed and only the trees above them
// rewritten, so a clean repository costs one stat per tracked file. The
// index is read but never written: libgit2 writes it only when asked to with
// GIT_STATUS_OPT_UPDATE_INDEX, which is deliberately absent here.
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

#include "git/git_util.h"
#include "git/repo.h"

namespace trail::git {

using internal::CommitPtr;
using internal::ConfigPtr;
using internal::GitError;
using internal::IndexPtr;
using internal::ObjectPtr;
using internal::OidHex;
using internal::ReferencePtr;
using internal::StatusListPtr;
using internal::TreeEntryPtr;
using internal::TreePtr;

namespace {

constexpr unsigned kWorktreeChanged = GIT_STATUS_WT_NEW | GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_TYPECHANGE |
                                      GIT_STATUS_WT_RENAMED | GIT_STATUS_CONFLICTED;
constexpr unsigned kIndexChanged =
    GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_INDEX_TYPECHANGE | GIT_STATUS_INDEX_RENAMED;

// What the snapshot records at one path.
struct PathUpdate {
  std::string path;
  bool remove = false;
  git_oid id{};
  git_filemode_t mode = GIT_FILEMODE_BLOB;
};

struct HeadState {
  CommitPtr commit;  // null when unborn
  TreePtr tree;      // null when unborn
};

StatusOr<HeadState> ReadHead(git_repository* repo) {
  HeadState head;
  git_reference* raw_ref = nullptr;
  int error = git_repository_head(&raw_ref, repo);
  if (error == GIT_EUNBORNBRANCH || error == GIT_ENOTFOUND) return head;
  if (error < 0) return GitError(error, "cannot read HEAD");
  ReferencePtr ref(raw_ref);
  git_object* peeled = nullptr;
  error = git_reference_peel(&peeled, ref.get(), GIT_OBJECT_COMMIT);
  if (error < 0) return GitError(error, "cannot resolve HEAD to a commit");
  head.commit.reset(reinterpret_cast<git_commit*>(peeled));
  git_tree* tree = nullptr;
  error = git_commit_tree(&tree, head.commit.get());
  if (error < 0) return GitError(error, "cannot read the tree of HEAD");
  head.tree.reset(tree);
  return head;
}

// The entry at `path` in HEAD's tree, or null.
TreeEntryPtr HeadEntry(const git_tree* head_tree, const std::string& path) {
  if (head_tree == nullptr) return TreeEntryPtr();
  git_tree_entry* entry = nullptr;
  if (git_tree_entry_bypath(&entry, head_tree, path.c_str()) < 0) return TreeEntryPtr();
  return TreeEntryPtr(entry);
}

bool ReadTrustsFileMode(git_repository* repo) {
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, repo) < 0) return true;
  ConfigPtr config(raw);
  int value = 1;
  if (git_config_get_bool(&value, config.get(), "core.filemode") < 0) return true;
  return value != 0;
}

// Classifies the working-tree file behind one status entry: fills `update`
// (a blob to record, or a removal) or reports that the path is left out.
class WorktreeReader {
 public:
  WorktreeReader(git_repository* repo, const SnapshotOptions& opts) : repo_(repo), opts_(opts) {}

  enum class Outcome { kRecord, kVanished, kSkipped };

  StatusOr<Outcome> Read(const git_diff_delta& delta, bool untracked, PathUpdate* update) {
    const std::string full = std::string(git_repository_workdir(repo_)) + update->path;
    struct stat st;
    if (lstat(full.c_str(), &st) != 0) return Outcome::kVanished;
    if (S_ISLNK(st.st_mode)) {
      update->mode = GIT_FILEMODE_LINK;
    } else if (S_ISREG(st.st_mode)) {
      if (untracked && static_cast<uint64_t>(st.st_size) > opts_.max_untracked_file_bytes) {
        return Outcome::kSkipped;
      }
      // For tracked files the status pass already applied core.filemode
      // (keeping the index's bit when the filesystem cannot be trusted).
      // Untracked files have no old mode to keep, so apply it here, as
      // `git add` would.
      if (untracked) {
        update->mode = (st.st_mode & S_IXUSR) && TrustsFileMode() ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
      } else {
        update->mode =
            delta.new_file.mode == GIT_FILEMODE_BLOB_EXECUTABLE ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
      }
    } else {
      // Directories (an untracked nested repository), sockets, fifos: git
      // would not record these as files either.
      return Outcome::kSkipped;
    }
    // Applies the repository's filters (CRLF, ident) exactly as `git add`.
    int error = opts_.dry_run
                    ? git_repository_hashfile(&update->id, repo_, update->path.c_str(), GIT_OBJECT_BLOB, nullptr)
                    : git_blob_create_from_workdir(&update->id, repo_, update->path.c_str());
    if (error == GIT_ENOTFOUND) return Outcome::kVanished;
    if (error < 0) return GitError(error, "cannot read " + update->path);
    return Outcome::kRecord;
  }

 private:
  bool TrustsFileMode() {
    // Read lazily: most snapshots have no untracked executables.
    if (trusts_file_mode_ < 0) trusts_file_mode_ = ReadTrustsFileMode(repo_) ? 1 : 0;
    return trusts_file_mode_ == 1;
  }

  git_repository* repo_;
  const SnapshotOptions& opts_;
  int trusts_file_mode_ = -1;  // -1: not read yet
};

}  // namespace

StatusOr<Snapshot> Repo::SnapshotWorktree(const SnapshotOptions& opts, const std::string& message,
                                          const Identity& who) {
  git_repository* repo = repo_.get();
  TRAIL_ASSIGN_OR_RETURN(HeadState head, ReadHead(repo));

  git_status_options status_opts;
  git_status_options_init(&status_opts, GIT_STATUS_OPTIONS_VERSION);
  status_opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  // No rename detection: renames would pair paths, and each side must be
  // handled on its own. No GIT_STATUS_OPT_UPDATE_INDEX: the index file stays
  // byte-identical.
  status_opts.flags =
      GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  // The same HEAD tree we build on, even if HEAD moves meanwhile.
  status_opts.baseline = head.tree.get();
  git_status_list* raw_list = nullptr;
  int error = git_status_list_new(&raw_list, repo, &status_opts);
  if (error < 0) return GitError(error, "cannot read the working tree status");
  StatusListPtr list(raw_list);

  // Read-only use: the index tells sparse-checkout files from deleted ones.
  git_index* raw_index = nullptr;
  error = git_repository_index(&raw_index, repo);
  if (error < 0) return GitError(error, "cannot read the index");
  IndexPtr index(raw_index);

  Snapshot snapshot;
  WorktreeReader reader(repo, opts);
  std::vector<PathUpdate> updates;
  const size_t count = git_status_list_entrycount(list.get());
  for (size_t i = 0; i < count; ++i) {
    const git_status_entry* entry = git_status_byindex(list.get(), i);
    const unsigned flags = entry->status;
    const git_diff_delta* wt = entry->index_to_workdir;
    const git_diff_delta* staged = entry->head_to_index;
    if (flags & GIT_STATUS_IGNORED) continue;
    const git_diff_delta* any = wt != nullptr ? wt : staged;
    if (any == nullptr) continue;
    PathUpdate update;
    update.path = any->new_file.path != nullptr ? any->new_file.path : any->old_file.path;

    if (flags & GIT_STATUS_WT_DELETED) {
      // libgit2 reports files outside a sparse checkout as deleted; git (and
      // the user) consider them unchanged, at the index's version.
      const git_index_entry* staged_entry = git_index_get_bypath(index.get(), update.path.c_str(), 0);
      if (staged_entry != nullptr && (staged_entry->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE)) {
        update.id = staged_entry->id;
        update.mode = static_cast<git_filemode_t>(staged_entry->mode);
      } else {
        update.remove = true;
      }
    } else if ((flags & kWorktreeChanged) && wt != nullptr) {
      // Not in the index at all: an untracked file, subject to the size cap.
      const bool untracked = (flags & GIT_STATUS_WT_NEW) && !(flags & kIndexChanged);
      if (untracked) {
        const std::string path = wt->new_file.path;
        bool excluded = false;
        for (const std::string& dir : opts.skip_untracked_under) {
          excluded = excluded || path == dir || path.rfind(dir + "/", 0) == 0;
        }
        if (excluded) {
          snapshot.skipped.push_back(path);
          continue;
        }
        if (MatchesFilePattern(path, opts.secret_files)) {
          snapshot.excluded.push_back(path);
          continue;
        }
      }
      TRAIL_ASSIGN_OR_RETURN(WorktreeReader::Outcome outcome, reader.Read(*wt, untracked, &update));
      if (outcome == WorktreeReader::Outcome::kSkipped) {
        snapshot.skipped.push_back(update.path);
        continue;
      }
      // Deleted between the status pass and now: record it as deleted.
      if (outcome == WorktreeReader::Outcome::kVanished) update.remove = true;
    } else if (flags & GIT_STATUS_INDEX_DELETED) {
      update.remove = true;
    } else if ((flags & kIndexChanged) && staged != nullptr) {
      // Staged, and the working tree matches the index: the index already
      // holds the blob.
      update.id = staged->new_file.id;
      update.mode = static_cast<git_filemode_t>(staged->new_file.mode);
    } else {
      continue;
    }
    updates.push_back(std::move(update));
  }

  // Keep only what differs from HEAD; removals must name existing entries.
  std::vector<git_tree_update> removals, upserts;
  for (const PathUpdate& update : updates) {
    TreeEntryPtr old = HeadEntry(head.tree.get(), update.path);
    git_tree_update tu{};
    tu.path = update.path.c_str();
    if (update.remove) {
      if (old == nullptr) continue;
      tu.action = GIT_TREE_UPDATE_REMOVE;
      removals.push_back(tu);
    } else {
      if (old != nullptr && git_oid_equal(git_tree_entry_id(old.get()), &update.id) &&
          git_tree_entry_filemode(old.get()) == update.mode) {
        continue;
      }
      tu.action = GIT_TREE_UPDATE_UPSERT;
      tu.id = update.id;
      tu.filemode = update.mode;
      upserts.push_back(tu);
    }
    snapshot.changed.push_back(update.path);
  }

  std::sort(snapshot.changed.begin(), snapshot.changed.end());
  std::sort(snapshot.skipped.begin(), snapshot.skipped.end());
  std::sort(snapshot.excluded.begin(), snapshot.excluded.end());
  snapshot.dirty = !snapshot.changed.empty() || !snapshot.skipped.empty() || !snapshot.excluded.empty();
  if (opts.dry_run) return snapshot;

  git_oid tree_id;
  if (removals.empty() && upserts.empty() && head.tree != nullptr) {
    tree_id = *git_tree_id(head.tree.get());
  } else {
    TRAIL_ASSIGN_OR_RETURN(tree_id, internal::UpdateTree(repo, head.tree.get(), removals, upserts));
  }

  std::vector<const git_commit*> parents;
  if (head.commit != nullptr) parents.push_back(head.commit.get());
  TRAIL_ASSIGN_OR_RETURN(git_oid commit_id, internal::CreateCommit(repo, tree_id, parents, message, who));

  snapshot.commit = OidHex(commit_id);
  snapshot.tree = OidHex(tree_id);
  return snapshot;
}

}  // namespace trail::git
