#include "git/pack_writer.h"

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

namespace trail::git::internal {

namespace {

// Above every built-in backend, so that all writes go to memory.
constexpr int kMempackPriority = 999;

// Owns a git_odb_writepack.
struct WritePackDeleter {
  void operator()(git_odb_writepack* wp) const { wp->free(wp); }
};

}  // namespace

PackWriter::PackWriter(RepositoryPtr repo, OdbPtr odb, git_odb_backend* mempack)
    : repo_(std::move(repo)), odb_(std::move(odb)), mempack_(mempack) {}

StatusOr<std::unique_ptr<PackWriter>> PackWriter::Open(const std::string& gitdir) {
  git_repository* raw_repo = nullptr;
  int error = git_repository_open(&raw_repo, gitdir.c_str());
  if (error < 0) return GitError(error, "cannot open " + gitdir);
  RepositoryPtr repo(raw_repo);
  git_odb* raw_odb = nullptr;
  error = git_repository_odb(&raw_odb, repo.get());
  if (error < 0) return GitError(error, "cannot open the object database");
  OdbPtr odb(raw_odb);
  git_odb_backend* mempack = nullptr;
  error = git_mempack_new(&mempack);
  if (error < 0) return GitError(error, "cannot create an in-memory object store");
  error = git_odb_add_backend(odb.get(), mempack, kMempackPriority);
  if (error < 0) {
    mempack->free(mempack);  // the odb took ownership only on success
    return GitError(error, "cannot add an in-memory object store");
  }
  return std::make_unique<PackWriter>(std::move(repo), std::move(odb), mempack);
}

StatusOr<git_oid> PackWriter::WriteBlob(const std::string& content) {
  git_oid id;
  int error = git_odb_hash(&id, content.data(), content.size(), GIT_OBJECT_BLOB);
  if (error >= 0) error = mempack_->write(mempack_, &id, content.data(), content.size(), GIT_OBJECT_BLOB);
  if (error < 0) return GitError(error, "cannot store blob");
  return id;
}

Status PackWriter::Finish() {
  Buf pack;
  int error = git_mempack_dump(pack.get(), repo_.get(), mempack_);
  if (error < 0) return GitError(error, "cannot build pack");
  if (pack.get()->size > 0) {
    git_odb_writepack* raw = nullptr;
    error = git_odb_write_pack(&raw, odb_.get(), nullptr, nullptr);
    if (error < 0) return GitError(error, "cannot write pack");
    std::unique_ptr<git_odb_writepack, WritePackDeleter> writepack(raw);
    git_indexer_progress progress{};
    error = writepack->append(writepack.get(), pack.get()->ptr, pack.get()->size, &progress);
    if (error >= 0) error = writepack->commit(writepack.get(), &progress);
    if (error < 0) return GitError(error, "cannot write pack");
  }
  // Only now are the objects on disk; dropping them from memory earlier would
  // leave the new commit dangling.
  error = git_mempack_reset(mempack_);
  if (error < 0) return GitError(error, "cannot reset the in-memory object store");
  return Status::Ok();
}

}  // namespace trail::git::internal
