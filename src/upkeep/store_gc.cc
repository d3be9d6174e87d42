#include "upkeep/store_gc.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "base/files.h"
#include "recording/ended_run.h"
#include "recording/live_folder.h"
#include "recording/queued_run.h"
#include "store/file_store.h"
#include "store/tree.h"

namespace trail {
namespace {

using store::BlobKey;
using store::BlobKeyHash;
using store::BlobType;
using store::LocalStore;
using BlobSet = std::unordered_set<BlobKey, BlobKeyHash>;

// Ok if it is gone already.
Status RemoveFile(Env& env, const std::string& path) {
  Status s = env.RemoveFile(path);
  return s.code() == Code::kNotFound ? Status::Ok() : s;
}

// An intact pack is self-describing, so one whose .idx is missing (lost, or a crash between
// writing a pack and its index) gets it back from its own tail, and the sweep then treats it
// like any other. One that does not verify is kept for fsck: what it holds is unknown.
Status RecoverUnindexedPacks(const std::string& store_dir, bool dry_run, GcResult& result) {
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> store, LocalStore::Open(store_dir));
  for (const std::string& pack_id : store->UnindexedPacks()) {
    if (dry_run) {
      result.rebuilt_indexes.push_back(pack_id);
      continue;
    }
    Status rebuilt = LocalStore::RebuildIndex(store_dir, pack_id);
    if (rebuilt.ok()) {
      result.rebuilt_indexes.push_back(pack_id);
    } else if (rebuilt.code() == Code::kCorrupt) {
      result.warnings.push_back("pack " + pack_id + " has no index and does not verify; kept (run trail fsck)");
    } else {
      return rebuilt;
    }
  }
  return Status::Ok();
}

}  // namespace

void ForEachNeededBlob(const LocalStore& store, const StoreRoot& root, const NeededBlobVisitor& visit) {
  auto file = [&](const store::Sha256Digest& id) {
    auto manifest = store::LoadManifest(store, id);
    if (!visit(BlobKey{BlobType::kFile, id}, manifest.status()) || !manifest.ok()) return;
    for (const store::ManifestChunk& c : manifest->chunks) visit(BlobKey{BlobType::kChunk, c.id}, Status::Ok());
  };
  const bool tree = root.kind == StoreRoot::Kind::kTree ||
                    (root.kind == StoreRoot::Kind::kFileOrTree && store.Has(BlobType::kTree, root.id));
  if (!tree) return file(root.id);
  auto t = store::LoadTree(store, root.id);
  if (!visit(BlobKey{BlobType::kTree, root.id}, t.status()) || !t.ok()) return;
  for (const store::TreeEntry& e : t->entries) file(e.file);
}

StatusOr<GcResult> SweepStore(const std::string& store_dir, const StoreRoots& roots, const GcOptions& options,
                              bool lock_held, Env& env) {
  FileLock lock;
  if (!lock_held) {
    TRAIL_RETURN_IF_ERROR(env.MakeDirs(store_dir));
    TRAIL_ASSIGN_OR_RETURN(lock, LocalStore::LockExclusive(store_dir, env));
  }
  // What an unreadable pointer or record names is unknown, so anything may look dead.
  if (!roots.unreadable.empty()) {
    return FailedPrecondition(roots.unreadable.front() + "; nothing was deleted (fix or remove it" +
                              (roots.unreadable.size() > 1 ? ", and " + std::to_string(roots.unreadable.size() - 1) +
                                                                 " more: trail fsck lists them)"
                                                           : ")"));
  }
  GcResult result;
  TRAIL_RETURN_IF_ERROR(RecoverUnindexedPacks(store_dir, options.dry_run, result));
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> store, LocalStore::Open(store_dir));

  // Mark.
  BlobSet live;
  Status fatal = Status::Ok();
  std::optional<ProgressPhase> marking;
  marking.emplace(options.progress, "Marking live objects", "roots", roots.roots.size(), 0);
  for (const StoreRoot& root : roots.roots) {
    ReportProgress(options.progress, 1, 0);
    ForEachNeededBlob(*store, root, [&](const BlobKey& key, const Status& read) {
      if (!read.ok()) {
        if (read.code() == Code::kNotFound) {
          result.warnings.push_back(root.source + ": " + read.message());
        } else if (fatal.ok()) {
          // Its chunks are unknown, so any of them may look dead: delete nothing.
          fatal = read.WithContext("cannot tell what " + root.source + " needs; nothing was deleted (run trail fsck)");
        }
        return false;
      }
      return live.insert(key).second || key.type == BlobType::kChunk;
    });
  }
  marking.reset();
  TRAIL_RETURN_IF_ERROR(fatal);
  result.live_blobs = live.size();

  // Which copy of a blob is the live one: the first pack (in load order, the copy Get reads)
  // whose file is there. Later copies are dead duplicates.
  const std::vector<LocalStore::PackInfo> packs = store->Packs();
  std::unordered_map<BlobKey, size_t, BlobKeyHash> owner;
  std::vector<uint64_t> sizes(packs.size());
  for (size_t i = 0; i < packs.size(); ++i) {
    sizes[i] = LocalStore::FileBytes(store->PackPath(packs[i].id));
    if (!PathExists(store->PackPath(packs[i].id))) continue;
    for (const store::PackEntry& e : packs[i].entries) {
      const BlobKey key{e.type, e.id};
      if (live.count(key)) owner.try_emplace(key, i);
    }
  }

  // Sweep: decide per pack.
  std::vector<LocalStore::PackInfo> to_rewrite;
  std::vector<size_t> to_remove;
  for (size_t i = 0; i < packs.size(); ++i) {
    GcPackAction a;
    a.pack_id = packs[i].id;
    a.pack_bytes = sizes[i];
    for (const store::PackEntry& e : packs[i].entries) {
      auto it = owner.find(BlobKey{e.type, e.id});
      if (it != owner.end() && it->second == i) {
        ++a.live_blobs;
      } else {
        ++a.dead_blobs;
        a.dead_bytes += e.stored;
      }
    }
    const uint64_t idx_bytes = LocalStore::FileBytes(store->IndexPath(a.pack_id));
    if (a.live_blobs == 0) {
      a.what = GcPackAction::What::kRemove;
      result.freed_bytes += a.pack_bytes + idx_bytes;
      to_remove.push_back(i);
      result.actions.push_back(a);
    } else if (a.dead_blobs > 0 && static_cast<double>(a.dead_bytes) > options.rewrite_dead_fraction * a.pack_bytes) {
      a.what = GcPackAction::What::kRewrite;
      result.freed_bytes += a.dead_bytes;  // about: the new pack's index is smaller too
      to_rewrite.push_back(packs[i]);
      result.actions.push_back(a);
    } else {
      result.kept_bytes += a.pack_bytes + idx_bytes;
    }
  }
  for (const GcPackAction& a : result.actions)
    if (a.what == GcPackAction::What::kRewrite) result.kept_bytes += a.pack_bytes - a.dead_bytes;

  const std::time_t now = options.now != 0 ? options.now : static_cast<std::time_t>(env.NowUnixSeconds());
  result.stray = store->StrayFiles(now, options.temp_age_s);
  for (const std::string& s : result.stray) result.freed_bytes += IsDirectory(s) ? 0 : LocalStore::FileBytes(s);

  if (options.dry_run) {
    for (const auto& a : result.actions)
      (a.what == GcPackAction::What::kRemove ? result.removed_packs : result.rewritten_packs)++;
    return result;
  }

  // Stray files first: the rewrite folder is reused below.
  for (const std::string& s : result.stray) TRAIL_RETURN_IF_ERROR(env.IsDir(s) ? env.RemoveAll(s) : RemoveFile(env, s));

  std::unordered_set<std::string> rewritten, published;
  if (!to_rewrite.empty()) {
    // One call rewrites them all (their live blobs may share new packs): the phase shows the
    // time it takes and ends with all of them.
    uint64_t rewrite_bytes = 0;
    for (const LocalStore::PackInfo& p : to_rewrite) rewrite_bytes += LocalStore::FileBytes(store->PackPath(p.id));
    ProgressPhase phase(options.progress, "Rewriting packs", "packs", to_rewrite.size(), rewrite_bytes);
    TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> done,
                           store->Repack(to_rewrite, live, &result.warnings, &published, env));
    rewritten.insert(done.begin(), done.end());
    ReportProgress(options.progress, to_rewrite.size(), rewrite_bytes);
  }
  for (auto it = result.actions.begin(); it != result.actions.end();) {
    // A pack the rewrite just published may have the id of one judged dead: the same blobs,
    // packed by an earlier gc that died before indexing it, whose copy the mark did not pick.
    // It now holds the live copies: keep it.
    if (it->what == GcPackAction::What::kRemove && published.count(it->pack_id)) {
      result.freed_bytes -= it->pack_bytes;  // about: its index's bytes stay counted
      result.kept_bytes += it->pack_bytes;
      it = result.actions.erase(it);
      continue;
    }
    if (it->what == GcPackAction::What::kRewrite && !rewritten.count(it->pack_id)) {
      result.freed_bytes -= it->dead_bytes;
      result.kept_bytes += it->dead_bytes;
      it = result.actions.erase(it);
      continue;
    }
    TRAIL_RETURN_IF_ERROR(store->RemovePack(it->pack_id, env));
    (it->what == GcPackAction::What::kRemove ? result.removed_packs : result.rewritten_packs)++;
    ++it;
  }
  return result;
}

namespace {

// With node-local locks the exclusive store lock above keeps out only this node's writers: a job
// on another node may be storing its artifacts right now, before anything names them. So gc
// waits until no run is recording anywhere (queued runs store nothing; ended ones are named by
// their ended.yaml, a root).
Status CheckNoRunRecordingElsewhere(Project& project) {
  if (!project.node_local_locks()) return Status::Ok();
  for (const std::string& name : project.env().ListDir(project.live_dir())) {
    if (!IsRunFolder(name)) continue;
    const std::string dir = JoinPath(project.live_dir(), name);
    if (IsQueuedFolder(project.env(), dir) || IsEndedFolder(project.env(), dir)) continue;
    return FailedPrecondition("run " + name +
                              " is recording (cluster.locks: node-local: its node's store lock does not keep gc "
                              "out); run trail gc when no run is live");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<GcResult> CollectGarbage(Project& project, const GcOptions& options) {
  const std::string dir = project.store_dir();
  TRAIL_RETURN_IF_ERROR(CheckNoRunRecordingElsewhere(project));
  if (!IsDirectory(dir)) return GcResult{};
  // Exclusive before the roots are read: see the header. (Node-local locks: checked again under
  // it, as a run may have started meanwhile.)
  TRAIL_ASSIGN_OR_RETURN(FileLock lock, LocalStore::LockExclusive(dir, project.env()));
  TRAIL_RETURN_IF_ERROR(CheckNoRunRecordingElsewhere(project));
  TRAIL_ASSIGN_OR_RETURN(StoreRoots roots, CollectStoreRoots(project));
  return SweepStore(dir, roots, options, /*lock_held=*/true, project.env());
}

}  // namespace trail
