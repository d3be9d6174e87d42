// Browsing a run's code snapshot (Git trees, through the git layer) and its stored files (the
// object store, chunk by chunk). Every name here may come from an HTTP request: commit ids must
// be full ids (never rev-parsed, so "HEAD~1" or a ref name cannot reach other history), paths are
// checked as text and looked up in the tree, never on the file system.
#include "trail/browse.h"

#include <algorithm>
#include <cctype>

#include "api/project_access.h"
#include "base/safe_path.h"
#include "store/file_store.h"
#include "store/local_store.h"
#include "store/oid.h"
#include "store/tree.h"

namespace trail::api {
namespace {

// Git's file modes (tree entries).
constexpr uint32_t kModeExecutable = 0100755;
constexpr uint32_t kModeLink = 0120000;
constexpr uint32_t kModeSubmodule = 0160000;

Status CheckCommitId(const std::string& commit) {
  bool hex = commit.size() == 40 && std::all_of(commit.begin(), commit.end(),
                                                [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  if (!hex) return InvalidArgument("'" + commit.substr(0, 80) + "' is not a commit id (40 hex digits)");
  return Status::Ok();
}

// Relative, no empty, "." or ".." part, and no ".git" part in any case (Git refuses one in a
// tree; a request naming one is probing). ".trail/config.yaml" is committed code, so allowed.
Status CheckCodePath(const std::string& path) {
  TRAIL_RETURN_IF_ERROR(CheckRelativePath(path, "path"));
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(begin, end - begin);
    std::transform(part.begin(), part.end(), part.begin(), [](unsigned char c) { return std::tolower(c); });
    if (part == ".git") return InvalidArgument("path \"" + path + "\" names a .git folder");
    begin = end + 1;
  }
  return Status::Ok();
}

StatusOr<store::Sha256Digest> ParseStoredId(const std::string& oid) {
  // Only the record's form: a bare hex id would be a second spelling of the same object.
  if (oid.rfind("sha256:", 0) != 0)
    return InvalidArgument("'" + oid.substr(0, 80) + "' is not a content id (sha256:<64 hex>)");
  auto id = store::ParseOid(oid);
  if (!id) return InvalidArgument("'" + oid.substr(0, 80) + "' is not a content id (sha256:<64 hex>)");
  return *id;
}

StatusOr<std::unique_ptr<store::LocalStore>> OpenStore(Project& project) {
  return store::LocalStore::Open(ProjectAccess::Of(project).store_dir());
}

}  // namespace

StatusOr<std::vector<CodeEntry>> ListCodeFiles(Project& project, const std::string& commit, int64_t limit,
                                               bool* truncated) {
  TRAIL_RETURN_IF_ERROR(CheckCommitId(commit));
  if (truncated) *truncated = false;
  std::vector<CodeEntry> entries;
  bool cut = false;
  Status walk = ProjectAccess::Of(project).repo().ForEachTreeFile(commit, [&](const git::TreeFile& file) -> Status {
    if (limit >= 0 && static_cast<int64_t>(entries.size()) >= limit) {
      cut = true;
      return FailedPrecondition("listing cut at the limit");  // ends the walk; not an error
    }
    CodeEntry entry;
    entry.path = file.path;
    if (file.mode == kModeLink) {
      entry.type = "link";
    } else if (file.mode == kModeSubmodule) {
      entry.type = "submodule";
    } else {
      entry.type = "file";
      entry.size = file.size;
      entry.executable = file.mode == kModeExecutable;
    }
    entries.push_back(std::move(entry));
    return Status::Ok();
  });
  if (!walk.ok() && !cut) return walk;
  if (truncated) *truncated = cut;
  // Tree order puts "a.txt" before "a/"'s files (directories sort as "a/"); listings want plain
  // path order.
  std::sort(entries.begin(), entries.end(), [](const CodeEntry& a, const CodeEntry& b) { return a.path < b.path; });
  return entries;
}

StatusOr<std::string> ReadCodeFile(Project& project, const std::string& commit, const std::string& path,
                                   int64_t max_bytes, bool* truncated) {
  TRAIL_RETURN_IF_ERROR(CheckCommitId(commit));
  TRAIL_RETURN_IF_ERROR(CheckCodePath(path));
  if (truncated) *truncated = false;
  const git::Repo& repo = ProjectAccess::Of(project).repo();
  auto entry = repo.StatTreeFile(commit, path);
  if (!entry.ok()) return entry.status();
  // A link's blob is its target's name and a submodule has none: only regular files are read.
  if (entry->mode == kModeLink || entry->mode == kModeSubmodule)
    return NotFound(path + " is not a file of commit " + commit);
  TRAIL_ASSIGN_OR_RETURN(std::string text, repo.ReadBlob(entry->oid));
  if (max_bytes >= 0 && static_cast<int64_t>(text.size()) > max_bytes) {
    text.resize(static_cast<size_t>(max_bytes));
    if (truncated) *truncated = true;
  }
  return text;
}

StatusOr<StoredObject> StatStoredObject(Project& project, const std::string& oid) {
  TRAIL_ASSIGN_OR_RETURN(store::Sha256Digest id, ParseStoredId(oid));
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st, OpenStore(project));
  StoredObject out;
  out.oid = store::OidString(id);
  if (st->Has(store::BlobType::kFile, id)) {
    TRAIL_ASSIGN_OR_RETURN(store::FileManifest manifest, store::LoadManifest(*st, id));
    out.size = static_cast<int64_t>(manifest.size);
    return out;
  }
  if (st->Has(store::BlobType::kTree, id)) {
    TRAIL_ASSIGN_OR_RETURN(store::TreeManifest tree, store::LoadTree(*st, id));
    out.size = static_cast<int64_t>(tree.TotalSize());
    out.folder = true;
    return out;
  }
  return NotFound("the local store has no " + out.oid);
}

Status ReadStoredObject(Project& project, const std::string& oid, const std::function<Status(std::string_view)>& sink) {
  TRAIL_ASSIGN_OR_RETURN(store::Sha256Digest id, ParseStoredId(oid));
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st, OpenStore(project));
  if (!st->Has(store::BlobType::kFile, id)) {
    if (st->Has(store::BlobType::kTree, id)) return InvalidArgument(oid + " is a folder; list its files");
    return NotFound("the local store has no " + oid);
  }
  // The manifest is verified against its sum, and each chunk against its id as it is read:
  // the bytes are those of the file whatever the pack files hold. One chunk in memory at a time.
  TRAIL_ASSIGN_OR_RETURN(store::FileManifest manifest, store::LoadManifest(*st, id));
  for (const store::ManifestChunk& chunk : manifest.chunks) {
    TRAIL_ASSIGN_OR_RETURN(std::string bytes, st->Get(store::BlobType::kChunk, chunk.id));
    if (bytes.size() != chunk.size) return Corrupt("a chunk of " + oid + " has the wrong size");
    TRAIL_RETURN_IF_ERROR(sink(bytes));
  }
  return Status::Ok();
}

StatusOr<std::vector<StoredFolderEntry>> ListStoredFolder(Project& project, const std::string& oid) {
  TRAIL_ASSIGN_OR_RETURN(store::Sha256Digest id, ParseStoredId(oid));
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<store::LocalStore> st, OpenStore(project));
  if (!st->Has(store::BlobType::kTree, id)) {
    if (st->Has(store::BlobType::kFile, id)) return InvalidArgument(oid + " is a file, not a folder");
    return NotFound("the local store has no " + oid);
  }
  // LoadTree refuses unsafe paths (a tree from another clone), so every path here is relative.
  TRAIL_ASSIGN_OR_RETURN(store::TreeManifest tree, store::LoadTree(*st, id));
  std::vector<StoredFolderEntry> out;
  out.reserve(tree.entries.size());
  for (const auto& e : tree.entries) out.push_back({e.path, static_cast<int64_t>(e.size), store::OidString(e.file)});
  return out;
}

}  // namespace trail::api
