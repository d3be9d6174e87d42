#include "git/pack_writer.h"

#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include <algorithm>

namespace trail::git::internal {

namespace {

using PackBuilderPtr = GitPtr<git_packbuilder, git_packbuilder_free>;

// Owns a git_odb_writepack.
struct WritePackDeleter {
  void operator()(git_odb_writepack* wp) const { wp->free(wp); }
};

}  // namespace

PackWriter::PackWriter(git_repository* target, RepositoryPtr memory_repo)
    : target_(target), memory_repo_(std::move(memory_repo)) {}

StatusOr<std::unique_ptr<PackWriter>> PackWriter::Open(git_repository* target) {
  git_odb* raw_odb = nullptr;
  int error = git_odb_new(&raw_odb);
  if (error < 0) return GitError(error, "cannot create an in-memory object store");
  OdbPtr odb(raw_odb);
  git_odb_backend* mempack = nullptr;
  error = git_mempack_new(&mempack);
  if (error < 0) return GitError(error, "cannot create an in-memory object store");
  error = git_odb_add_backend(odb.get(), mempack, /*priority=*/1);
  if (error < 0) {
    mempack->free(mempack);  // the odb owns it only once added
    return GitError(error, "cannot create an in-memory object store");
  }
  git_repository* raw_repo = nullptr;
  error = git_repository_wrap_odb(&raw_repo, odb.get());  // takes its own reference
  if (error < 0) return GitError(error, "cannot create an in-memory object store");
  return std::make_unique<PackWriter>(target, RepositoryPtr(raw_repo));
}

Status PackWriter::Finish(const git_oid& root_tree) {
  git_packbuilder* raw_builder = nullptr;
  int error = git_packbuilder_new(&raw_builder, memory_repo_.get());
  if (error < 0) return GitError(error, "cannot build pack");
  PackBuilderPtr builder(raw_builder);
  git_packbuilder_set_threads(builder.get(), 0);  // one per core
  error = git_packbuilder_insert_tree(builder.get(), &root_tree);
  if (error < 0) return GitError(error, "cannot build pack");
  Buf pack;
  error = git_packbuilder_write_buf(pack.get(), builder.get());
  if (error < 0) return GitError(error, "cannot build pack");

  git_odb* raw_odb = nullptr;
  error = git_repository_odb(&raw_odb, target_);
  if (error < 0) return GitError(error, "cannot open the object database");
  OdbPtr odb(raw_odb);
  git_odb_writepack* raw_writepack = nullptr;
  error = git_odb_write_pack(&raw_writepack, odb.get(), nullptr, nullptr);
  if (error < 0) return GitError(error, "cannot write pack");
  std::unique_ptr<git_odb_writepack, WritePackDeleter> writepack(raw_writepack);
  git_indexer_progress progress{};
  // In slices, as a fetch streams a pack: handed a pack of several hundred MB in one call,
  // libgit2 1.5's indexer stopped short of its end ("unexpected data at the end of the pack").
  constexpr size_t kSlice = size_t{16} << 20;
  for (size_t at = 0; error >= 0 && at < pack.get()->size; at += kSlice) {
    error =
        writepack->append(writepack.get(), pack.get()->ptr + at, std::min(kSlice, pack.get()->size - at), &progress);
  }
  if (error >= 0) error = writepack->commit(writepack.get(), &progress);
  if (error < 0) return GitError(error, "cannot write pack");
  return Status::Ok();
}

}  // namespace trail::git::internal
