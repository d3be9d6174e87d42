#include "git/git_util.h"

#include <strings.h>

#include <cstring>
#include <string_view>

namespace trail::git::internal {

void EnsureLibgit2() {
  // libgit2 must be initialised once before any call; it is never shut down
  // because Repo objects may live until exit.
  static const bool initialized = [] {
    git_libgit2_init();
    // The default, set explicitly: a corrupt object must read as an error,
    // never as silently wrong run data.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
    // Memory bounds for a branch of 1,000,000 runs, read whole by an index rebuild: by default
    // libgit2 maps packs in 1 GiB windows up to 8 GiB, and caches every tree it parses (a run's
    // folder: 40 bytes counted against the 256 MiB cache, 500 bytes of heap), all of which
    // stays resident (1.7 GB at 1M runs). Smaller windows, unmapped least recently used first
    // past the limit, and trees read again when needed (each is read once in a walk) cost a
    // rebuild nothing measurable (bench/RESULTS.md, "1,000,000 runs"). Commits stay cached.
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, size_t{32} << 20);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, size_t{128} << 20);
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, size_t{0});
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, ssize_t{64} << 20);
    return true;
  }();
  (void)initialized;
}

Status GitError(int error, const std::string& context) {
  const git_error* last = git_error_last();
  std::string detail = (last != nullptr && last->message != nullptr) ? std::string(last->message)
                                                                     : "libgit2 error " + std::to_string(error);
  std::string message = context.empty() ? detail : context + ": " + detail;
  switch (error) {
    case GIT_ENOTFOUND:
      return NotFound(message);
    case GIT_EEXISTS:
      return AlreadyExists(message);
    case GIT_EINVALIDSPEC:
    case GIT_EINVALID:
    case GIT_EAMBIGUOUS:
      return InvalidArgument(message);
    case GIT_EBAREREPO:
    case GIT_EUNBORNBRANCH:
    case GIT_ELOCKED:
    case GIT_EMODIFIED:
    case GIT_EOWNER:
      return FailedPrecondition(message);
    case GIT_EMISMATCH:
      return Corrupt(message);
    default:
      break;
  }
  if (last != nullptr) {
    switch (last->klass) {
      case GIT_ERROR_OS:
        return IoError(message);
      case GIT_ERROR_ZLIB:
        return Corrupt(message);
      default:
        break;
    }
  }
  return Internal(message);
}

std::string OidHex(const git_oid& oid) {
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof(hex), &oid);
  return std::string(hex);
}

StatusOr<git_oid> ParseOid(const std::string& hex) {
  git_oid oid;
  if (hex.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex.c_str()) < 0) {
    return InvalidArgument("'" + hex + "' is not a full object id");
  }
  return oid;
}

namespace {

bool IsFullHex(const std::string& s) {
  if (s.size() != GIT_OID_HEXSZ) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

}  // namespace

StatusOr<CommitPtr> LookupCommit(git_repository* repo, const std::string& rev) {
  if (rev.empty()) return InvalidArgument("empty commit name");
  git_object* raw = nullptr;
  int error;
  if (IsFullHex(rev)) {
    // The common case skips revparse, which would also try ref names.
    git_oid oid;
    git_oid_fromstr(&oid, rev.c_str());
    error = git_object_lookup(&raw, repo, &oid, GIT_OBJECT_ANY);
  } else {
    error = git_revparse_single(&raw, repo, rev.c_str());
  }
  if (error < 0) {
    if (error == GIT_ENOTFOUND) return NotFound("commit " + rev + " not found");
    return GitError(error, "cannot find commit " + rev);
  }
  ObjectPtr object(raw);
  git_object* peeled = nullptr;
  error = git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT);
  if (error < 0) return InvalidArgument(rev + " is not a commit");
  return CommitPtr(reinterpret_cast<git_commit*>(peeled));
}

StatusOr<TreePtr> LookupCommitTree(git_repository* repo, const std::string& rev) {
  if (rev.empty()) return TreePtr();
  TRAIL_ASSIGN_OR_RETURN(CommitPtr commit, LookupCommit(repo, rev));
  git_tree* tree = nullptr;
  int error = git_commit_tree(&tree, commit.get());
  if (error < 0) return GitError(error, "cannot read the tree of commit " + rev);
  return TreePtr(tree);
}

StatusOr<TreePtr> LookupSubtree(git_repository* repo, const git_tree* root, const std::string& dir) {
  if (root == nullptr) return TreePtr();
  if (dir.empty()) {
    git_tree* copy = nullptr;
    int error = git_tree_dup(&copy, const_cast<git_tree*>(root));
    if (error < 0) return GitError(error, "cannot copy tree");
    return TreePtr(copy);
  }
  git_tree_entry* raw_entry = nullptr;
  int error = git_tree_entry_bypath(&raw_entry, root, dir.c_str());
  if (error == GIT_ENOTFOUND) return TreePtr();
  if (error < 0) return GitError(error, "cannot read directory " + dir);
  TreeEntryPtr entry(raw_entry);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) return TreePtr();
  git_tree* tree = nullptr;
  error = git_tree_lookup(&tree, repo, git_tree_entry_id(entry.get()));
  if (error < 0) return GitError(error, "cannot read directory " + dir);
  return TreePtr(tree);
}

std::string TrimSlashes(const std::string& dir) {
  size_t begin = dir.find_first_not_of('/');
  if (begin == std::string::npos) return "";
  size_t end = dir.find_last_not_of('/');
  return dir.substr(begin, end - begin + 1);
}

StatusOr<SignaturePtr> MakeSignature(const Identity& who) {
  const std::string name = who.name.empty() ? "trail" : who.name;
  const std::string email = who.email.empty() ? "trail@localhost" : who.email;
  git_signature* sig = nullptr;
  int error = git_signature_now(&sig, name.c_str(), email.c_str());
  if (error < 0) return GitError(error, "invalid identity '" + name + " <" + email + ">'");
  return SignaturePtr(sig);
}

std::string NormalizeMessage(const std::string& message) {
  if (!message.empty() && message.back() == '\n') return message;
  return message + "\n";
}

Status ValidateRelativePath(const std::string& path) {
  auto bad = [&](const std::string& why) { return InvalidArgument("invalid path '" + path + "': " + why); };
  if (path.empty()) return bad("empty");
  if (path.find('\0') != std::string::npos) return bad("contains a NUL byte");
  if (path.front() == '/') return bad("must be relative");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string_view part(path.data() + start, end - start);
    if (part.empty()) return bad("empty path component");
    if (part == "." || part == "..") return bad("'.' and '..' are not allowed");
    if (part.size() == 4 && strncasecmp(part.data(), ".git", 4) == 0) {
      return bad("'.git' is not allowed");
    }
    start = end + 1;
  }
  return Status::Ok();
}

namespace {

// One git_tree_create_updated pass. Tree-shape conflicts (a file where a
// directory is, or the reverse) are the caller's input, hence
// InvalidArgument.
StatusOr<git_oid> UpdatePass(git_repository* repo, const git_tree* base, const std::vector<git_tree_update>& updates) {
  git_oid out;
  int error = git_tree_create_updated(&out, repo, const_cast<git_tree*>(base), updates.size(), updates.data());
  if (error < 0) {
    const git_error* last = git_error_last();
    if (error == GIT_ERROR && last != nullptr && last->klass == GIT_ERROR_TREE) {
      return InvalidArgument(std::string("cannot update tree: ") + last->message);
    }
    return GitError(error, "cannot update tree");
  }
  return out;
}

}  // namespace

StatusOr<git_oid> UpdateTree(git_repository* repo, const git_tree* base, const std::vector<git_tree_update>& removals,
                             const std::vector<git_tree_update>& upserts) {
  TreePtr intermediate;
  const git_tree* current = base;
  if (!removals.empty()) {
    TRAIL_ASSIGN_OR_RETURN(git_oid removed, UpdatePass(repo, current, removals));
    git_tree* tree = nullptr;
    int error = git_tree_lookup(&tree, repo, &removed);
    if (error < 0) return GitError(error, "cannot read the tree just written");
    intermediate.reset(tree);
    current = intermediate.get();
  }
  if (upserts.empty() && current != nullptr) return *git_tree_id(current);
  return UpdatePass(repo, current, upserts);
}

StatusOr<git_oid> CreateCommit(git_repository* repo, const git_oid& tree_id,
                               const std::vector<const git_commit*>& parents, const std::string& message,
                               const Identity& who) {
  git_tree* raw_tree = nullptr;
  int error = git_tree_lookup(&raw_tree, repo, &tree_id);
  if (error < 0) return GitError(error, "cannot read tree " + OidHex(tree_id));
  TreePtr tree(raw_tree);
  TRAIL_ASSIGN_OR_RETURN(SignaturePtr sig, MakeSignature(who));
  const std::string text = NormalizeMessage(message);
  git_oid commit;
  // libgit2 takes a non-const array of parents but only reads it.
  error = git_commit_create(&commit, repo, /*update_ref=*/nullptr, sig.get(), sig.get(),
                            /*message_encoding=*/nullptr, text.c_str(), tree.get(), parents.size(),
                            const_cast<const git_commit**>(parents.data()));
  if (error < 0) return GitError(error, "cannot create commit");
  return commit;
}

}  // namespace trail::git::internal
