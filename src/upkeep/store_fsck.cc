#include "upkeep/store_fsck.h"

#include <unordered_map>
#include <unordered_set>

#include "base/files.h"
#include "store/local_store.h"
#include "upkeep/store_gc.h"
#include "upkeep/store_repair.h"

namespace trail {
namespace {

using store::BlobKey;
using store::BlobKeyHash;
using store::BlobType;
using store::LocalStore;

// Roots whose blobs are bad get this many lines each, then a count.
constexpr size_t kLinesPerRoot = 10;

std::string Short(const store::Sha256Digest& id) { return store::ToHex(id); }

struct BlobCheck {
  std::unordered_set<BlobKey, BlobKeyHash> good;
  // Blob -> why it is bad ("corrupt chunk <id> in pack <p>", "missing chunk <id> (pack <p> is missing)").
  std::unordered_map<BlobKey, std::string, BlobKeyHash> bad;
};

void CheckPacks(const LocalStore& store, FsckReport& report, BlobCheck& check, ProgressSink* progress) {
  // Packs the store left out because their file is missing or short are checked the same way.
  std::vector<LocalStore::PackInfo> packs = store.Packs();
  for (const LocalStore::PackInfo& p : store.UnusablePacks()) packs.push_back(p);
  std::vector<uint64_t> sizes;
  uint64_t total_bytes = 0;
  for (const LocalStore::PackInfo& p : packs) {
    sizes.push_back(LocalStore::FileBytes(store.PackPath(p.id)));
    total_bytes += sizes.back();
  }
  ProgressPhase phase(progress, "Checking objects", "packs", packs.size(), total_bytes);
  for (size_t i = 0; i < packs.size(); ++i) {
    const LocalStore::PackInfo& p = packs[i];
    ++report.packs;
    report.blobs += p.entries.size();
    auto mark_all_bad = [&](const std::string& why) {
      for (const store::PackEntry& e : p.entries)
        check.bad.try_emplace(BlobKey{e.type, e.id},
                              std::string(store::BlobTypeName(e.type)) + " " + Short(e.id) + " " + why);
    };
    const LocalStore::PackCheck checked =
        store.CheckPack(p, [&](const store::PackEntry& e, StatusOr<std::string> blob) {
          const BlobKey key{e.type, e.id};
          if (blob.ok()) {
            check.good.insert(key);
          } else {
            check.bad.try_emplace(
                key, std::string(store::BlobTypeName(e.type)) + " " + Short(e.id) + " is corrupt (pack " + p.id + ")");
          }
        });
    if (checked.missing) {
      report.problems.push_back("missing pack " + p.id + " (its index is there, the pack file is not)");
      mark_all_bad("is missing (pack " + p.id + " is missing)");
    } else if (!checked.unreadable.ok()) {
      report.problems.push_back("unreadable pack " + p.id + ": " + checked.unreadable.message());
      mark_all_bad("is unreadable (pack " + p.id + ")");
    } else if (!checked.damaged.ok()) {
      report.problems.push_back("corrupt pack " + p.id + ": " + checked.damaged.message());
    }
    ReportProgress(progress, 1, sizes[i]);
  }
}

void UnindexedPacks(const LocalStore& store, const std::vector<LocalStore::BadIndex>& bad, FsckReport& report) {
  std::unordered_set<std::string> reported;
  for (const auto& b : bad) reported.insert(b.pack_id);
  for (const std::string& pack_id : store.UnindexedPacks()) {
    if (reported.count(pack_id)) continue;
    report.notes.push_back("pack " + pack_id +
                           " has no index (trail fsck --repair or trail gc rebuilds it from the pack)");
  }
}

void CheckRoots(const LocalStore& store, const StoreRoots& roots, const BlobCheck& check, FsckReport& report) {
  report.roots = roots.roots.size();
  for (const std::string& w : roots.unreadable) report.notes.push_back(w);
  for (const StoreRoot& root : roots.roots) {
    std::vector<std::string> lines;
    std::unordered_set<BlobKey, BlobKeyHash> seen;
    ForEachNeededBlob(store, root, [&](const BlobKey& key, const Status& read) {
      if (!seen.insert(key).second) return false;
      const std::string what = std::string(store::BlobTypeName(key.type)) + " " + Short(key.id);
      if (!check.good.count(key)) {
        auto it = check.bad.find(key);
        if (it != check.bad.end()) {
          lines.push_back(it->second.rfind(what + " is missing", 0) == 0 ? "missing " + what : "corrupt " + what);
        } else if (!store.Has(key.type, key.id)) {
          lines.push_back("missing " + what);
        }
      } else if (!read.ok()) {
        lines.push_back("unreadable " + what + ": " + read.message());
      }
      return read.ok();
    });
    for (size_t i = 0; i < lines.size() && i < kLinesPerRoot; ++i)
      report.problems.push_back(lines[i] + " needed by " + root.source);
    if (lines.size() > kLinesPerRoot)
      report.problems.push_back("... and " + std::to_string(lines.size() - kLinesPerRoot) +
                                " more missing or corrupt objects needed by " + root.source);
  }
}

}  // namespace

StatusOr<FsckReport> CheckStoreDir(const std::string& store_dir, const StoreRoots* roots, ProgressSink* progress) {
  FsckReport report;
  if (!IsDirectory(store_dir)) {
    // No store yet: fine when nothing needs one.
    if (roots != nullptr) {
      for (const StoreRoot& r : roots->roots)
        report.problems.push_back("missing " + Short(r.id) + " needed by " + r.source);
      report.roots = roots->roots.size();
    }
    return report;
  }
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, LocalStore::LockShared(store_dir));
  std::vector<LocalStore::BadIndex> bad_indexes;
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> store, LocalStore::OpenTolerant(store_dir, &bad_indexes));
  for (const auto& b : bad_indexes) {
    report.problems.push_back("corrupt index " + b.pack_id + ": " + b.problem.message() +
                              " (its pack's objects count as missing; trail fsck --repair rebuilds it from the pack)");
  }
  BlobCheck check;
  CheckPacks(*store, report, check, progress);
  UnindexedPacks(*store, bad_indexes, report);
  if (roots != nullptr) CheckRoots(*store, *roots, check, report);
  return report;
}

namespace {

StatusOr<FsckReport> CheckProject(Project& project, ProgressSink* progress) {
  auto roots = CollectStoreRoots(project);
  if (!roots.ok()) {
    TRAIL_ASSIGN_OR_RETURN(FsckReport report, CheckStoreDir(project.store_dir(), nullptr, progress));
    report.problems.push_back("cannot list what the repository needs: " + roots.status().message());
    return report;
  }
  return CheckStoreDir(project.store_dir(), &*roots, progress);
}

}  // namespace

StatusOr<FsckReport> CheckStore(Project& project, bool repair, ProgressSink* progress) {
  std::vector<std::string> repaired;
  if (repair) {
    TRAIL_ASSIGN_OR_RETURN(repaired, RepairStore(project.store_dir()));
  }
  TRAIL_ASSIGN_OR_RETURN(FsckReport report, CheckProject(project, progress));
  report.repaired = std::move(repaired);
  return report;
}

}  // namespace trail
