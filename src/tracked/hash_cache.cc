#include "tracked/hash_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "base/files.h"
#include "base/paths.h"
#include "project/project.h"
#include "store/pack.h"

namespace trail {

StatusOr<store::Sha256Digest> HashFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open " + path + ": " + std::strerror(errno));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  store::Sha256 sha;
  std::string block(size_t{8} << 20, '\0');
  while (true) {
    const ssize_t n = ::read(fd, block.data(), block.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = IoError("cannot read " + path + ": " + std::strerror(errno));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    sha.Update(std::string_view(block.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  return sha.Final();
}

HashCache::Entry HashCache::FromStat(const struct stat& st) {
  Entry e;
  e.size = static_cast<uint64_t>(st.st_size);
  e.mtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
  e.ctime_ns = static_cast<uint64_t>(st.st_ctim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_ctim.tv_nsec);
  e.ino = static_cast<uint64_t>(st.st_ino);
  return e;
}

HashCache HashCache::LoadFor(const Project& project) {
  return Load(JoinPath(project.state_dir(), "hash-cache.tsv"), project.env());
}

HashCache HashCache::Load(const std::string& path, Env& env) {
  HashCache cache;
  cache.path_ = path;
  cache.env_ = &env;
  auto text = env.ReadFile(path);
  if (!text.ok()) return cache;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key, hex;
    Entry e;
    if (!std::getline(fields, key, '\t')) continue;
    if (!(fields >> e.size >> e.mtime_ns >> e.ctime_ns >> e.ino >> hex)) continue;
    auto id = store::ParseHexId(hex);
    if (!id) continue;
    e.id = *id;
    cache.entries_[key] = e;
  }
  return cache;
}

std::optional<store::Sha256Digest> HashCache::Cached(const std::string& abs_path, const std::string& key) const {
  struct stat st {};
  if (::stat(abs_path.c_str(), &st) != 0) return std::nullopt;
  const Entry now = FromStat(st);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.size == now.size && it->second.mtime_ns == now.mtime_ns &&
      it->second.ctime_ns == now.ctime_ns && it->second.ino == now.ino) {
    return it->second.id;
  }
  return std::nullopt;
}

StatusOr<store::Sha256Digest> HashCache::FileId(const std::string& abs_path, const std::string& key) {
  struct stat st {};
  if (::stat(abs_path.c_str(), &st) != 0) return IoError("cannot stat " + abs_path + ": " + std::strerror(errno));
  const Entry now = FromStat(st);
  if (std::optional<store::Sha256Digest> cached = Cached(abs_path, key)) return *cached;
  TRAIL_ASSIGN_OR_RETURN(store::Sha256Digest id, HashFile(abs_path));
  Entry e = now;
  e.id = id;
  entries_[key] = e;
  dirty_ = true;
  return id;
}

void HashCache::Remember(const std::string& abs_path, const std::string& key, const store::Sha256Digest& id) {
  struct stat st {};
  if (::stat(abs_path.c_str(), &st) != 0) return;
  Entry e = FromStat(st);
  e.id = id;
  entries_[key] = e;
  dirty_ = true;
}

Status HashCache::Save() {
  if (!dirty_ || path_.empty()) return Status::Ok();
  std::string out;
  for (const auto& [key, e] : entries_) {
    if (key.find('\n') != std::string::npos || key.find('\t') != std::string::npos) continue;
    out += key + "\t" + std::to_string(e.size) + " " + std::to_string(e.mtime_ns) + " " + std::to_string(e.ctime_ns) +
           " " + std::to_string(e.ino) + " " + store::ToHex(e.id) + "\n";
  }
  dirty_ = false;
  return WriteFileAtomic(*env_, path_, out, /*sync=*/false);
}

}  // namespace trail
