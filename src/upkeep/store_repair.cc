#include "upkeep/store_repair.h"

#include <memory>

#include "base/files.h"
#include "store/local_store.h"

namespace trail {
namespace {

using store::LocalStore;

struct Salvaged {
  store::PackEntry entry;
  std::string raw;
};

// The blobs of a pack that still verify; none when the file cannot be read at all.
std::vector<Salvaged> ReadableBlobs(const LocalStore& store, const LocalStore::PackInfo& pack, bool* damaged) {
  std::vector<Salvaged> out;
  bool bad_blob = false;
  const LocalStore::PackCheck check = store.CheckPack(pack, [&](const store::PackEntry& e, StatusOr<std::string> raw) {
    if (raw.ok()) {
      out.push_back({e, std::move(raw).value()});
    } else {
      bad_blob = true;
    }
  });
  *damaged = check.missing || !check.unreadable.ok() || !check.damaged.ok() || bad_blob;
  return out;
}

// Takes a damaged or missing pack out of the store, keeping what still verifies: its index
// goes first (so the store stops naming its blobs and Put stores them anew), the salvaged blobs
// are flushed into a new pack, then the pack file follows its index into damaged/.
StatusOr<std::string> RetirePack(const std::string& store_dir, const LocalStore::PackInfo& pack,
                                 const std::string& pack_path, std::vector<Salvaged> salvaged) {
  TRAIL_RETURN_IF_ERROR(LocalStore::SetAsideIndex(store_dir, pack.id));
  if (!salvaged.empty()) {
    std::vector<LocalStore::BadIndex> ignored;
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> store, LocalStore::OpenTolerant(store_dir, &ignored));
    for (const Salvaged& s : salvaged) TRAIL_RETURN_IF_ERROR(store->Put(s.entry.id, s.entry.type, s.raw));
    TRAIL_RETURN_IF_ERROR(store->Flush());
  }
  const bool had_file = PathExists(pack_path);
  TRAIL_RETURN_IF_ERROR(LocalStore::SetAsidePackFile(store_dir, pack.id));
  return std::string(had_file ? "moved damaged pack " : "forgot missing pack ") + pack.id +
         " (index and pack kept in " + LocalStore::DamagedDir(store_dir) + "; " + std::to_string(salvaged.size()) +
         " of " + std::to_string(pack.entries.size()) + " objects still verify and were kept)";
}

}  // namespace

StatusOr<std::vector<std::string>> RepairStore(const std::string& store_dir) {
  std::vector<std::string> done;
  if (!IsDirectory(store_dir)) return done;
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, LocalStore::LockExclusive(store_dir));
  {
    std::vector<LocalStore::BadIndex> bad;
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> store, LocalStore::OpenTolerant(store_dir, &bad));
    for (const std::string& pack_id : store->UnindexedPacks()) {
      Status rebuilt = LocalStore::RebuildIndex(store_dir, pack_id);
      if (rebuilt.ok()) {
        done.push_back("rebuilt index of pack " + pack_id + " from the pack");
      } else if (rebuilt.code() != Code::kCorrupt) {
        return rebuilt;
      }
      // A pack without an index that does not verify is left as it is: fsck names it.
    }
  }
  std::vector<LocalStore::BadIndex> bad;
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> store, LocalStore::OpenTolerant(store_dir, &bad));
  std::vector<LocalStore::PackInfo> packs = store->Packs();
  for (const LocalStore::PackInfo& p : store->UnusablePacks()) packs.push_back(p);
  for (const LocalStore::PackInfo& p : packs) {
    bool damaged = false;
    const std::string path = store->PackPath(p.id);
    std::vector<Salvaged> salvaged = ReadableBlobs(*store, p, &damaged);
    if (!damaged) continue;
    TRAIL_ASSIGN_OR_RETURN(std::string line, RetirePack(store_dir, p, path, std::move(salvaged)));
    done.push_back(line);
  }
  return done;
}

}  // namespace trail
