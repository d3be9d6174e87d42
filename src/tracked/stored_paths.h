// Files and folders in and out of the object store, as whole paths: what `trail add`,
// `trail checkout`, run artifacts and `trail get` share.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "store/local_store.h"
#include "store/tree.h"
#include "tracked/hash_cache.h"
#include "tracked/pointer.h"
#include "trail/progress.h"
#include "trail/status.h"

namespace trail {

// Regular files under `dir`, recursively, as sorted relative paths. Symbolic links and other
// special files are skipped and named in `skipped` (a link could point anywhere, even into
// the store).
StatusOr<std::vector<std::string>> ListFilesUnder(const std::string& dir, std::vector<std::string>* skipped);

// Stores a file (with the chunker preset its name calls for) or a folder (every file, then a
// tree manifest). Does not flush: the caller flushes once for everything it stores. When
// `cache` is given, the ids of the files stored are remembered under `cache_key`(/relative).
// `progress` (may be null) gets each file and its bytes (the caller begins the phase).
StatusOr<Pointer> StorePath(store::LocalStore& store, const std::string& abs_path, HashCache* cache = nullptr,
                            const std::string& cache_key = "", ProgressSink* progress = nullptr);

// The pointer `abs_path` would have now, hashing only (nothing is stored): for status.
StatusOr<Pointer> PointerOf(const std::string& abs_path, HashCache& cache, const std::string& cache_key);

// Whether the store holds everything `p` needs (a folder's tree, every file manifest, every
// chunk) and agrees with it, reading manifests but no chunks. NotFound names the first missing
// object; InvalidArgument says the pointer's size or file count is not what is stored (the
// pointer is wrong: the store's objects are verified by their ids); Corrupt, a tree or manifest
// that does not verify.
Status CheckStoredContent(const store::LocalStore& store, const Pointer& p);

// Checks, before anything is written, that what `p` names can be restored at `root`/`rel`:
// `rel` and every path in a folder's tree are safe relative paths (util/safe_path.h), and no
// part of them below `root` is a symbolic link. `root` is trusted (the work tree, a folder the
// user named); `rel` and the tree may come from another clone.
Status CheckRestorable(const store::LocalStore& store, const Pointer& p, const std::string& root,
                       const std::string& rel);

// Restores what `p` names at `root`/`rel` (a file, or a folder created as needed), after
// CheckRestorable: nothing is written through a symbolic link. For a folder, files already there
// with the right content are left alone (checked through `cache`). `progress` (may be null)
// gets each file and its bytes, restored or left alone (the caller begins the phase).
Status RestorePointer(const store::LocalStore& store, const Pointer& p, const std::string& root, const std::string& rel,
                      HashCache* cache = nullptr, const std::string& cache_key = "", ProgressSink* progress = nullptr);

}  // namespace trail
