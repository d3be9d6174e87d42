#include "store/pack_transfer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "base/files.h"
#include "store/local_store.h"
#include "store/pack.h"

namespace trail::store {
namespace {

// A remote holds the local layout.
std::string RemoteIndexName(const std::string& id) { return LocalStore::IndexName(id); }
std::string RemotePackName(const std::string& id) { return LocalStore::PackName(id); }

// Pack ids whose .idx the remote holds. Names that are not "index/<64 hex>.idx" are ignored.
StatusOr<std::set<std::string>> RemoteIndexIds(remote::Backend& remote) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<remote::ObjectInfo> listed, remote.List(std::string(LocalStore::kIndexPrefix)));
  std::set<std::string> ids;
  for (const remote::ObjectInfo& o : listed) {
    if (std::optional<std::string> id = LocalStore::PackIdOfIndexName(o.name)) ids.insert(std::move(*id));
  }
  return ids;
}

// Pack id -> size of every pack file the remote holds (with or without its .idx).
StatusOr<std::map<std::string, uint64_t>> RemotePackSizes(remote::Backend& remote) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<remote::ObjectInfo> listed, remote.List(std::string(LocalStore::kPacksPrefix)));
  std::map<std::string, uint64_t> sizes;
  for (const remote::ObjectInfo& o : listed) {
    if (std::optional<std::string> id = LocalStore::PackIdOfPackName(o.name)) sizes[*id] = o.size;
  }
  return sizes;
}

// Sums the per-transfer progress of several workers into one running total.
class ProgressTotal {
 public:
  ProgressTotal(uint64_t total, const PackTransferOptions& options) : total_(total), options_(options) {}

  // A ProgressFn for one transfer; `last` must outlive the transfer.
  remote::ProgressFn For(uint64_t& last) {
    return [this, &last](uint64_t bytes_done) { Move(last, bytes_done); };
  }
  // Accounts a transfer as complete at `size` bytes whatever it reported.
  void Complete(uint64_t& last, uint64_t size) { Move(last, size); }
  uint64_t done() const { return done_.load(); }

 private:
  void Move(uint64_t& last, uint64_t now) {
    // A retried transfer starts over from 0: take back what it had reported.
    if (now >= last)
      done_.fetch_add(now - last);
    else
      done_.fetch_sub(last - now);
    last = now;
    if (options_.progress) options_.progress(done_.load(), total_);
  }
  const uint64_t total_;
  const PackTransferOptions& options_;
  std::atomic<uint64_t> done_{0};
};

// Runs `work(i)` for i in [0, n) on up to `jobs` threads. After the first failure no new item
// starts; that failure is returned.
Status RunParallel(size_t n, int jobs, const std::function<Status(size_t)>& work) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first;
  auto worker = [&] {
    for (;;) {
      if (failed.load()) return;
      const size_t i = next.fetch_add(1);
      if (i >= n) return;
      Status s = work(i);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first.ok()) first = std::move(s);
        failed.store(true);
      }
    }
  };
  const size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(1, jobs)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  return first;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

StatusOr<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return IoError("cannot stat " + path + ": " + std::strerror(errno));
  return static_cast<uint64_t>(st.st_size);
}

// A downloaded pack, read-only and mapped, for VerifyPack.
class MappedFile {
 public:
  static StatusOr<MappedFile> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return IoError("cannot open " + path + ": " + std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return IoError("cannot stat " + path + ": " + std::strerror(err));
    }
    MappedFile m;
    m.size_ = static_cast<size_t>(st.st_size);
    if (m.size_ > 0) {
      void* p = ::mmap(nullptr, m.size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        return IoError("cannot map " + path + ": " + std::strerror(err));
      }
      ::madvise(p, m.size_, MADV_SEQUENTIAL);
      m.data_ = static_cast<const char*>(p);
    }
    ::close(fd);
    return m;
  }
  MappedFile(MappedFile&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  std::string_view view() const { return {data_, size_}; }

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

// The .idx of a verified pack: its tail from the index on (index, index_length, magic).
std::string_view IndexTail(std::string_view pack) {
  const size_t trailer = pack.size() - kPackTrailerSize;
  uint32_t index_length = 0;
  for (int b = 3; b >= 0; --b) index_length = (index_length << 8) | static_cast<uint8_t>(pack[trailer + b]);
  return pack.substr(trailer - index_length);
}

// The .idx to upload for a local pack, after checking the whole pack as fetch and fsck do: a
// corrupt pack (a bad disk, a bug) must stay here, not spread to every clone that fetches it.
// The .idx sent is the verified pack's own tail, not the local .idx file, which could differ.
StatusOr<std::string> VerifiedIndexOfLocalPack(const LocalStore& store, const std::string& id) {
  TRAIL_ASSIGN_OR_RETURN(MappedFile mapped, MappedFile::Open(store.PackPath(id)));
  StatusOr<std::vector<PackEntry>> verified = VerifyPack(mapped.view(), id);
  if (!verified.ok())
    return Corrupt("pack " + id + " in the local store is corrupt, not pushed: " + verified.status().message() +
                   "; run trail fsck");
  return std::string(IndexTail(mapped.view()));
}

// Downloads, verifies and publishes one pack. On any failure nothing of it stays.
Status FetchOnePack(const LocalStore& store, remote::Backend& remote, const std::string& id, ProgressTotal& total,
                    uint64_t expected_size) {
  const std::string final_path = store.PackPath(id);
  const std::string folder = final_path.substr(0, final_path.find_last_of('/'));
  TRAIL_RETURN_IF_ERROR(MakeDirs(folder));
  // The local store's own temp-file name for a pack being written, so whatever cleans up after
  // an interrupted write cleans up after an interrupted fetch too.
  const std::string tmp = LocalStore::TempPath(final_path);
  uint64_t last = 0;
  Status loaded = remote.LoadFile(RemotePackName(id), tmp, total.For(last));
  if (!loaded.ok()) {
    ::unlink(tmp.c_str());
    return loaded.WithContext("cannot download pack " + id + " from " + remote.Describe());
  }
  total.Complete(last, expected_size);
  std::string tail;
  {
    StatusOr<MappedFile> mapped = MappedFile::Open(tmp);
    if (!mapped.ok()) {
      ::unlink(tmp.c_str());
      return mapped.status();
    }
    StatusOr<std::vector<PackEntry>> verified = VerifyPack(mapped->view(), id);
    if (!verified.ok()) {
      ::unlink(tmp.c_str());
      return Corrupt("pack " + id + " from " + remote.Describe() +
                     " is corrupt, not fetched: " + verified.status().message());
    }
    tail = std::string(IndexTail(mapped->view()));
  }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError("cannot rename " + tmp + ": " + std::strerror(err));
  }
  TRAIL_RETURN_IF_ERROR(SyncDirectory(folder));
  const std::string index_path = store.IndexPath(id);
  TRAIL_RETURN_IF_ERROR(WriteFileAtomic(index_path, tail));
  return SyncDirectory(index_path.substr(0, index_path.find_last_of('/')));
}

}  // namespace

StatusOr<PackTransferResult> PushPacks(const std::string& store_dir, remote::Backend& remote,
                                       const PackTransferOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> store, LocalStore::OpenForWriting(store_dir));
  // A push killed part way leaves a temp file (up to a pack's size) on a folder remote; the next
  // push removes those nobody has written for an hour, the age gc uses for local temp files.
  // Best effort: a remote this push cannot clean is still one it can push to.
  constexpr int64_t kAbandonedTempAge_s = 3600;
  (void)remote.RemoveAbandonedTemps(kAbandonedTempAge_s);
  TRAIL_ASSIGN_OR_RETURN(std::set<std::string> remote_ids, RemoteIndexIds(remote));
  TRAIL_ASSIGN_OR_RETURN(auto remote_packs, RemotePackSizes(remote));

  struct Upload {
    std::string id;
    uint64_t size;
    bool pack_there;  // a previous push uploaded the pack but not its .idx
  };
  PackTransferResult result;
  std::vector<Upload> todo;
  uint64_t total_bytes = 0;
  for (const LocalStore::PackInfo& p : store->Packs()) {
    if (remote_ids.count(p.id)) {
      ++result.packs_already;
      continue;
    }
    TRAIL_ASSIGN_OR_RETURN(uint64_t size, FileSize(store->PackPath(p.id)));
    auto it = remote_packs.find(p.id);
    const bool there = it != remote_packs.end() && it->second == size;
    todo.push_back({p.id, size, there});
    if (!there) total_bytes += size;
  }
  ProgressTotal progress(total_bytes, options);
  TRAIL_RETURN_IF_ERROR(RunParallel(todo.size(), options.jobs, [&](size_t i) -> Status {
    const Upload& u = todo[i];
    TRAIL_ASSIGN_OR_RETURN(std::string idx, VerifiedIndexOfLocalPack(*store, u.id));
    if (!u.pack_there) {
      uint64_t last = 0;
      Status saved = remote.SaveFile(RemotePackName(u.id), store->PackPath(u.id), progress.For(last));
      if (!saved.ok()) return saved.WithContext("cannot upload pack " + u.id + " to " + remote.Describe());
      progress.Complete(last, u.size);
    }
    Status saved = remote.Save(RemoteIndexName(u.id), idx);
    if (!saved.ok()) return saved.WithContext("cannot upload the index of pack " + u.id + " to " + remote.Describe());
    return Status::Ok();
  }));
  result.packs_moved = todo.size();
  result.bytes_moved = progress.done();
  result.seconds = SecondsSince(start);
  return result;
}

StatusOr<PackTransferResult> FetchPacks(const std::string& store_dir, remote::Backend& remote,
                                        const PackTransferOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<LocalStore> store, LocalStore::OpenForWriting(store_dir));
  std::set<std::string> local_ids;
  for (const LocalStore::PackInfo& p : store->Packs()) local_ids.insert(p.id);
  TRAIL_ASSIGN_OR_RETURN(std::set<std::string> remote_ids, RemoteIndexIds(remote));
  TRAIL_ASSIGN_OR_RETURN(auto remote_packs, RemotePackSizes(remote));

  PackTransferResult result;
  std::vector<std::pair<std::string, uint64_t>> todo;
  uint64_t total_bytes = 0;
  for (const std::string& id : remote_ids) {
    if (local_ids.count(id)) {
      ++result.packs_already;
      continue;
    }
    auto it = remote_packs.find(id);
    if (it == remote_packs.end())
      return Corrupt("remote " + remote.Describe() + " has " + RemoteIndexName(id) + " but not its pack " +
                     RemotePackName(id));
    todo.emplace_back(id, it->second);
    total_bytes += it->second;
  }
  ProgressTotal progress(total_bytes, options);
  TRAIL_RETURN_IF_ERROR(RunParallel(todo.size(), options.jobs, [&](size_t i) {
    return FetchOnePack(*store, remote, todo[i].first, progress, todo[i].second);
  }));
  result.packs_moved = todo.size();
  result.bytes_moved = progress.done();
  result.seconds = SecondsSince(start);
  return result;
}

}  // namespace trail::store
