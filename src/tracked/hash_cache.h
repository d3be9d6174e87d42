// Remembers the SHA-256 of files in the work tree by (size, mtime, ctime, inode), so `trail
// status` and `trail checkout` hash a 10 GB data set once, not on every call (git's index and
// DVC's state database do the same). It is a cache: a missing or damaged file means rehashing,
// never an error. Lives in .trail/hash-cache.tsv (local state, git-ignored).
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <unordered_map>

#include "base/env.h"
#include "store/hash.h"
#include "trail/status.h"

namespace trail {

class Project;

class HashCache {
 public:
  // The cache of `project`'s work tree (.trail/hash-cache.tsv), read and written through its Env.
  static HashCache LoadFor(const Project& project);
  // `env` (which must outlive the cache) reads and writes the cache file; the files it
  // describes are the user's, read from the real disk.
  static HashCache Load(const std::string& path, Env& env = *Env::Default());

  // The id of the file at `abs_path` (cached under `key`, its path in the work tree).
  StatusOr<store::Sha256Digest> FileId(const std::string& abs_path, const std::string& key);
  // The cached id, if the file has not changed since it was taken; never hashes.
  std::optional<store::Sha256Digest> Cached(const std::string& abs_path, const std::string& key) const;
  // Records an id known without hashing (a file just stored or restored).
  void Remember(const std::string& abs_path, const std::string& key, const store::Sha256Digest& id);
  // Writes the cache atomically when it changed.
  Status Save();

 private:
  struct Entry {
    uint64_t size = 0, mtime_ns = 0, ctime_ns = 0, ino = 0;
    store::Sha256Digest id{};
  };
  static Entry FromStat(const struct stat& st);
  std::string path_;
  Env* env_ = Env::Default();
  std::unordered_map<std::string, Entry> entries_;
  bool dirty_ = false;
};

// SHA-256 of a whole file, streamed.
StatusOr<store::Sha256Digest> HashFile(const std::string& path);

}  // namespace trail
