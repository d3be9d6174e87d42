#include "tracked/stored_paths.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "base/files.h"
#include "base/paths.h"
#include "base/safe_path.h"
#include "base/text.h"
#include "store/file_store.h"
#include "store/presets.h"

namespace trail {
namespace fs = std::filesystem;

StatusOr<std::vector<std::string>> ListFilesUnder(const std::string& dir, std::vector<std::string>* skipped) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
  if (ec) return IoError("cannot list " + dir + ": " + ec.message());
  // Cut the prefix off as text: fs::relative resolves links, so a link would be named by where
  // it points ("../../secret") instead of where it is.
  const size_t prefix = dir.size() + (dir.ends_with('/') ? 0 : 1);
  for (; it != end; it.increment(ec)) {
    if (ec) return IoError("cannot list " + dir + ": " + ec.message());
    const fs::directory_entry& e = *it;
    const std::string rel = e.path().generic_string().substr(prefix);
    if (e.is_symlink(ec)) {
      if (skipped) skipped->push_back(rel);
      if (e.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (e.is_directory(ec)) continue;
    if (!e.is_regular_file(ec)) {
      if (skipped) skipped->push_back(rel);
      continue;
    }
    out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

uint32_t ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0644;
  return (st.st_mode & 0111) ? 0755 : 0644;
}

std::string Key(const std::string& base, const std::string& rel) { return base.empty() ? rel : base + "/" + rel; }

}  // namespace

StatusOr<Pointer> StorePath(store::LocalStore& store, const std::string& abs_path, HashCache* cache,
                            const std::string& cache_key, ProgressSink* progress) {
  Pointer p;
  if (!IsDirectory(abs_path)) {
    if (!PathExists(abs_path)) return NotFound("no such file or folder: " + abs_path);
    TRAIL_ASSIGN_OR_RETURN(store::FileManifest m,
                           store::StoreFile(store, abs_path, store::ChunkingFor(abs_path), /*flush=*/false, progress));
    p.oid = m.id;
    p.size = m.size;
    p.files = 1;
    if (cache) cache->Remember(abs_path, cache_key, m.id);
    return p;
  }
  TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> files, ListFilesUnder(abs_path, nullptr));
  std::vector<std::string> paths;
  std::vector<store::ChunkerParams> chunking;
  for (const std::string& rel : files) {
    // A tree manifest is JSON: a name it would have to alter could not be restored as it was.
    if (!IsValidUtf8(rel))
      return InvalidArgument(EscapeForMessage(JoinPath(abs_path, rel)) + ": the name is not valid UTF-8; rename it");
    paths.push_back(JoinPath(abs_path, rel));
    chunking.push_back(store::ChunkingFor(rel));
  }
  TRAIL_ASSIGN_OR_RETURN(std::vector<store::FileManifest> stored, store::StoreFiles(store, paths, chunking, progress));
  store::TreeManifest tree;
  for (size_t i = 0; i < files.size(); ++i) {
    tree.entries.push_back({files[i], ModeOf(paths[i]), stored[i].id, stored[i].size});
    if (cache) cache->Remember(paths[i], Key(cache_key, files[i]), stored[i].id);
  }
  p.folder = true;
  p.size = tree.TotalSize();
  p.files = tree.entries.size();
  TRAIL_ASSIGN_OR_RETURN(p.oid, store::PutTree(store, std::move(tree)));
  return p;
}

StatusOr<Pointer> PointerOf(const std::string& abs_path, HashCache& cache, const std::string& cache_key) {
  Pointer p;
  if (!IsDirectory(abs_path)) {
    struct stat st {};
    if (::stat(abs_path.c_str(), &st) != 0) return NotFound("no such file or folder: " + abs_path);
    TRAIL_ASSIGN_OR_RETURN(p.oid, cache.FileId(abs_path, cache_key));
    p.size = static_cast<uint64_t>(st.st_size);
    return p;
  }
  TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> files, ListFilesUnder(abs_path, nullptr));
  store::TreeManifest tree;
  for (const std::string& rel : files) {
    const std::string file = JoinPath(abs_path, rel);
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return IoError("cannot stat " + file + ": " + std::strerror(errno));
    TRAIL_ASSIGN_OR_RETURN(store::Sha256Digest id, cache.FileId(file, Key(cache_key, rel)));
    tree.entries.push_back({rel, ModeOf(file), id, static_cast<uint64_t>(st.st_size)});
  }
  p.folder = true;
  p.size = tree.TotalSize();
  p.files = tree.entries.size();
  p.oid = store::Sha256Of(store::TreeToJson(tree));
  return p;
}

namespace {

Status CheckTreeRestorable(const store::TreeManifest& tree, const std::string& root, const std::string& rel,
                           std::set<std::string>& checked) {
  for (const store::TreeEntry& e : tree.entries) {
    TRAIL_RETURN_IF_ERROR(CheckNoLinkBelow(root, rel + "/" + e.path, &checked));
  }
  return Status::Ok();
}

// The stored size of file `id` once its manifest and all its chunks are known to be there.
StatusOr<uint64_t> StoredFileSize(const store::LocalStore& store, const store::Sha256Digest& id) {
  TRAIL_ASSIGN_OR_RETURN(store::FileManifest m, store::LoadManifest(store, id));
  for (const store::ManifestChunk& c : m.chunks) {
    if (!store.Has(store::BlobType::kChunk, c.id))
      return NotFound("chunk " + store::ToHex(c.id) + " of file " + store::ToHex(id) + " is not in the store");
  }
  return m.size;
}

Status PointerDisagrees(const Pointer& p, uint64_t size, uint64_t files) {
  if (p.size == size && p.files == files) return Status::Ok();
  return InvalidArgument("the pointer says " + std::to_string(p.size) + " bytes in " + std::to_string(p.files) +
                         (p.files == 1 ? " file" : " files") + ", but " + OidString(p.oid) + " is " +
                         std::to_string(size) + " bytes in " + std::to_string(files) +
                         (files == 1 ? " file" : " files"));
}

}  // namespace

Status CheckStoredContent(const store::LocalStore& store, const Pointer& p) {
  if (!p.folder) {
    TRAIL_ASSIGN_OR_RETURN(uint64_t size, StoredFileSize(store, p.oid));
    return PointerDisagrees(p, size, 1);
  }
  TRAIL_ASSIGN_OR_RETURN(store::TreeManifest tree, store::LoadTree(store, p.oid));
  uint64_t total = 0;
  for (const store::TreeEntry& e : tree.entries) {
    TRAIL_ASSIGN_OR_RETURN(uint64_t size, StoredFileSize(store, e.file));
    if (size != e.size)
      return Corrupt("tree " + store::ToHex(p.oid) + " says " + e.path + " is " + std::to_string(e.size) +
                     " bytes, its manifest " + std::to_string(size));
    total += size;
  }
  return PointerDisagrees(p, total, tree.entries.size());
}

Status CheckRestorable(const store::LocalStore& store, const Pointer& p, const std::string& root,
                       const std::string& rel) {
  TRAIL_RETURN_IF_ERROR(CheckRelativePath(rel, "path"));
  std::set<std::string> checked;
  TRAIL_RETURN_IF_ERROR(CheckNoLinkBelow(root, rel, &checked));
  if (!p.folder) return Status::Ok();
  // LoadTree refuses unsafe entry paths (a tree from another clone is untrusted too).
  TRAIL_ASSIGN_OR_RETURN(store::TreeManifest tree, store::LoadTree(store, p.oid));
  return CheckTreeRestorable(tree, root, rel, checked);
}

Status RestorePointer(const store::LocalStore& store, const Pointer& p, const std::string& root, const std::string& rel,
                      HashCache* cache, const std::string& cache_key, ProgressSink* progress) {
  TRAIL_RETURN_IF_ERROR(CheckRelativePath(rel, "path"));
  std::set<std::string> checked;
  TRAIL_RETURN_IF_ERROR(CheckNoLinkBelow(root, rel, &checked));
  const std::string dest = JoinPath(root, rel);
  if (!p.folder) {
    TRAIL_RETURN_IF_ERROR(MakeDirsBelow(root, ParentOf(rel), &checked));
    if (IsDirectory(dest)) return FailedPrecondition(dest + " is a folder; the stored content is a file");
    TRAIL_RETURN_IF_ERROR(store::RestoreFile(store, p.oid, dest, /*verify_whole=*/false, progress));
    if (cache) cache->Remember(dest, cache_key, p.oid);
    return Status::Ok();
  }
  TRAIL_ASSIGN_OR_RETURN(store::TreeManifest tree, store::LoadTree(store, p.oid));
  // Every path is checked before the first file is written: a link deep in the tree refuses
  // the whole restore, not the rest of it.
  TRAIL_RETURN_IF_ERROR(CheckTreeRestorable(tree, root, rel, checked));
  TRAIL_RETURN_IF_ERROR(MakeDirsBelow(root, rel, &checked));
  for (const store::TreeEntry& e : tree.entries) {
    const std::string file_rel = rel + "/" + e.path;
    const std::string file = JoinPath(root, file_rel);
    if (cache && PathExists(file) && !IsDirectory(file)) {
      auto have = cache->FileId(file, Key(cache_key, e.path));
      if (have.ok() && *have == e.file) {
        ReportProgress(progress, 1, e.size);
        continue;
      }
    }
    TRAIL_RETURN_IF_ERROR(MakeDirsBelow(root, ParentOf(file_rel), &checked));
    TRAIL_RETURN_IF_ERROR(store::RestoreFile(store, e.file, file, /*verify_whole=*/false, progress));
    ::chmod(file.c_str(), e.mode);
    if (cache) cache->Remember(file, Key(cache_key, e.path), e.file);
  }
  return Status::Ok();
}

}  // namespace trail
