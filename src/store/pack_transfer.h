// Moving packs between the local object store and a remote `Backend` (docs/remotes.md): the
// store over its backend, as restic's repository sits over its backends. What to move and when
// is sync/'s to say (`trail push / fetch / pull`); the runs that go with the packs travel
// through Git (sync/runs_sync.h).
//
// Packs are immutable and named by their content, so syncing is set difference over the two
// sides' index/ listings, and every transfer is safe to repeat. A remote holds the local layout
// (LocalStore::PackName, IndexName). Ordering keeps both sides consistent at every instant, as
// the local store's own writes do: the pack goes first, its .idx second, and a pack without an
// .idx is invisible. An interrupted push or fetch therefore leaves nothing half-visible, and
// running it again moves only what is still missing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "remote/backend.h"
#include "trail/status.h"

namespace trail::store {

struct PackTransferOptions {
  int jobs = 4;  // packs moved at once
  // Bytes moved so far out of `total`, called from the worker threads (often: throttle it).
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct PackTransferResult {
  size_t packs_moved = 0;
  uint64_t bytes_moved = 0;  // pack bytes; the small .idx files are not counted
  size_t packs_already = 0;  // packs both sides had
  double seconds = 0;
};

// Uploads every local pack whose .idx the remote lacks: the pack (skipped when the remote
// already holds it whole, as after an interrupted push), then its .idx. Each pack is verified
// first (VerifyPack, as fetch and fsck do); a corrupt one is never uploaded and its error names
// it and says to run `trail fsck`. Holds the store's shared
// lock, so gc cannot delete a pack while it is being uploaded. The first failure stops the
// workers from starting more packs and is returned, naming the pack.
StatusOr<PackTransferResult> PushPacks(const std::string& store_dir, remote::Backend& remote,
                                       const PackTransferOptions& options);

// Downloads every remote pack the local store lacks into a temp file, checks it with VerifyPack,
// renames it into packs/ab/ and only then writes its .idx (the verified pack's own tail). A pack
// that fails verification is deleted and never becomes visible; the error names it. Packs
// fetched before a failure stay (they are complete and verified). Holds the store's shared lock.
StatusOr<PackTransferResult> FetchPacks(const std::string& store_dir, remote::Backend& remote,
                                        const PackTransferOptions& options);

}  // namespace trail::store
