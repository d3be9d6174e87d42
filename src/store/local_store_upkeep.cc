// LocalStore's maintenance: removing, repacking and setting aside packs, and finding what
// interrupted writes left. `trail gc` and `trail fsck --repair` (upkeep/) decide what to do;
// how the folder changes, and in which crash-safe order, is decided here.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/files.h"
#include "store/local_store.h"
#include "store/store_layout.h"

namespace trail::store {
namespace {

namespace fs = std::filesystem;

// Ok if it is gone already.
Status RemoveFile(Env& env, const std::string& path) {
  Status s = env.RemoveFile(path);
  return s.code() == Code::kNotFound ? Status::Ok() : s;
}

// Moves `from` into the store's damaged/ folder (nothing when it is not there).
Status MoveAside(const std::string& store_dir, const std::string& from) {
  if (!PathExists(from)) return Status::Ok();
  const std::string dir = LocalStore::DamagedDir(store_dir);
  TRAIL_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string to = JoinPath(dir, from.substr(from.find_last_of('/') + 1));
  if (::rename(from.c_str(), to.c_str()) != 0)
    return IoError("cannot move " + from + " to " + to + ": " + std::strerror(errno));
  return SyncDirectory(dir);
}

}  // namespace

Status LocalStore::RemovePack(const std::string& pack_id, Env& env) const {
  TRAIL_RETURN_IF_ERROR(RemoveFile(env, IndexPath(pack_id)));
  TRAIL_RETURN_IF_ERROR(env.SyncDir(JoinPath(dir_, layout::kIndexDir)));
  return RemoveFile(env, PackPath(pack_id));
}

StatusOr<std::vector<std::string>> LocalStore::Repack(const std::vector<PackInfo>& packs,
                                                      const std::unordered_set<BlobKey, BlobKeyHash>& keep,
                                                      std::vector<std::string>* warnings,
                                                      std::unordered_set<std::string>* published, Env& env) const {
  const std::string tmp_dir = JoinPath(dir_, layout::kRepackDir);
  TRAIL_RETURN_IF_ERROR(env.RemoveAll(tmp_dir));
  std::vector<std::string> done;
  {
    // A store of its own, so that Put does not skip blobs the real store already has (in the
    // very packs being rewritten). Not locked: the caller holds the real store's lock.
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> out, LocalStore::Open(tmp_dir));
    for (const PackInfo& p : packs) {
      bool ok = true;
      for (const PackEntry& e : p.entries) {
        if (!keep.count(BlobKey{e.type, e.id})) continue;
        auto raw = Get(e.type, e.id);
        if (!raw.ok()) {
          if (warnings) warnings->push_back("pack " + p.id + " kept: " + raw.status().message() + " (run trail fsck)");
          ok = false;
          break;
        }
        TRAIL_RETURN_IF_ERROR(out->Put(e.id, e.type, *raw));
      }
      // Blobs already copied from a pack that is kept are harmless duplicates.
      if (ok) done.push_back(p.id);
    }
    TRAIL_RETURN_IF_ERROR(out->Flush());
    // Publish: every pack in place first, then the indexes, as Flush does.
    const std::vector<PackInfo> made = out->Packs();
    for (const auto& p : made) {
      if (published) published->insert(p.id);
      const std::string dest = PackPath(p.id);
      const fs::path folder = fs::path(dest).parent_path();
      TRAIL_RETURN_IF_ERROR(env.MakeDirs(folder.string()));
      TRAIL_RETURN_IF_ERROR(env.Rename(out->PackPath(p.id), dest));
      TRAIL_RETURN_IF_ERROR(env.SyncDir(folder.string()));
      // The fan-out folder may be new, and a new name is durable only once its parent is synced:
      // without this a power cut could keep the index below and lose the pack it indexes.
      TRAIL_RETURN_IF_ERROR(env.SyncDir(folder.parent_path().string()));
    }
    for (const auto& p : made) {
      const std::string from = out->IndexPath(p.id), dest = IndexPath(p.id);
      TRAIL_RETURN_IF_ERROR(env.Rename(from, dest));
    }
    if (!made.empty()) TRAIL_RETURN_IF_ERROR(env.SyncDir(JoinPath(dir_, layout::kIndexDir)));
  }
  TRAIL_RETURN_IF_ERROR(env.RemoveAll(tmp_dir));
  return done;
}

LocalStore::PackCheck LocalStore::CheckPack(const PackInfo& pack, const CheckedBlobVisitor& blob) const {
  PackCheck check;
  const std::string path = PackPath(pack.id);
  if (!PathExists(path)) {
    check.missing = true;
    return check;
  }
  auto bytes = ReadFile(path);
  if (!bytes.ok()) {
    check.unreadable = bytes.status();
    return check;
  }
  check.damaged = VerifyPack(*bytes, pack.id).status();
  // Blob by blob, from the index we trust (the .idx, checked against the pack's name), so one
  // bad blob or a truncated tail does not condemn the rest.
  for (const PackEntry& e : pack.entries) blob(e, ReadBlob(*bytes, e, pack.id));
  return check;
}

std::vector<std::string> LocalStore::StrayFiles(std::time_t now, int64_t min_age_s) const {
  std::vector<std::string> out;
  std::error_code ec;
  const fs::path root(dir_);
  const std::string rewrite = JoinPath(dir_, layout::kRepackDir);
  if (IsDirectory(rewrite)) out.push_back(rewrite);
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string path = it->path().string();
    if (path == rewrite) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.find(layout::kTempInfix) != std::string::npos) {
      struct stat st;
      if (::stat(path.c_str(), &st) == 0 && now - st.st_mtime >= min_age_s) out.push_back(path);
      continue;
    }
  }
  return out;
}

std::string LocalStore::DamagedDir(const std::string& dir) { return JoinPath(dir, layout::kDamagedDir); }

Status LocalStore::SetAsideIndex(const std::string& dir, const std::string& pack_id) {
  TRAIL_RETURN_IF_ERROR(MoveAside(dir, JoinPath(dir, IndexName(pack_id))));
  return SyncDirectory(JoinPath(dir, layout::kIndexDir));
}

Status LocalStore::SetAsidePackFile(const std::string& dir, const std::string& pack_id) {
  return MoveAside(dir, JoinPath(dir, PackName(pack_id)));
}

}  // namespace trail::store
