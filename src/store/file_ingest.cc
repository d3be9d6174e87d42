// StoreFile: the ingest pipeline. One 1 GiB file needs two SHA-256 passes (the whole file's id
// and every chunk's id), the chunker's pass and a write of the bytes; on two cores that only
// comes near `openssl dgst` if the passes run side by side and the two hashes share a pass:
//
//   main thread     read window -> cut chunks -> (later) append prepared chunks to the pack
//   hasher          the window's bytes into the whole file's SHA-256 and its chunks' SHA-256,
//                   two streams interleaved on one core (sha256_pair.h), windows in order
//   batch workers   compression probe and zstd of one window's chunks (one per window); where
//                   the CPU has no SHA-NI, also the chunks' SHA-256 (OpenSSL hashes one stream
//                   per core, so the chunks are better hashed in parallel with the file)
//   pack writer     LocalStore's background write of each full pack, straight from its buffer
//
// Memory is bounded whatever the file's size: kMaxWindowsInFlight + 2 window buffers of
// 16 MiB plus one chunk, reused from window to window, and the store's two pack buffers.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "base/files.h"
#include "store/aligned_buffer.h"
#include "store/file_store.h"
#include "store/sha256_pair.h"
#include "store/small_files.h"

namespace trail::store {
namespace {

constexpr size_t kWindowSize = kSmallFileLimit;  // 16 MiB
constexpr size_t kMaxWindowsInFlight = 4;

class BufferPool;

// A window of the file: `bytes` holds the unfinished tail of the previous window (at most one
// chunk) followed by the newly read bytes; `base` is the stream offset of bytes[0].
struct Window {
  ~Window();
  BufferPool* pool = nullptr;
  AlignedBuffer data;  // not zero-filled: every byte used is read into it first
  std::string_view bytes;
  uint64_t base = 0;
  size_t fresh_at = 0;  // where the newly read bytes start
};

// The window buffers: at most `limit` of them exist, and each goes back here when the last
// thread lets go of its window. This bounds memory when the whole-file hash falls behind the
// reading, and a file of any size reuses the same few buffers instead of faulting in fresh
// memory every window (on a VM, fresh pages cost more than hashing them).
class BufferPool {
 public:
  explicit BufferPool(size_t limit) : limit_(limit) {}
  // Waits while all `limit` buffers are in use.
  AlignedBuffer Take(size_t capacity) {
    AlignedBuffer b;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !free_.empty() || made_ < limit_; });
      if (!free_.empty()) {
        b = std::move(free_.back());
        free_.pop_back();
      } else {
        ++made_;
      }
    }
    b.Clear();
    b.Reserve(capacity);
    return b;
  }
  void Give(AlignedBuffer b) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(std::move(b));
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<AlignedBuffer> free_;
  size_t limit_;
  size_t made_ = 0;
};

Window::~Window() {
  if (pool != nullptr) pool->Give(std::move(data));
}

struct Batch {
  std::shared_ptr<const Window> window;  // keeps the uncompressed blobs' bytes alive
  std::vector<PreparedBlob> blobs;
  std::vector<ManifestChunk> chunks;
};

// One window's work for the hasher: its fresh bytes continue the whole file's SHA-256, and the
// chunks that ended in it (about as many bytes) get theirs in the same pass.
struct HashJob {
  std::shared_ptr<const Window> window;
  std::vector<std::string_view> chunks;
  std::promise<std::vector<Sha256Digest>> ids;  // the chunks' ids, for the window's batch
};

// Hands windows to the hashing thread in order.
class HashQueue {
 public:
  void Push(HashJob job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(job));
    }
    cv_.notify_one();
  }
  // Nothing once Close was called and the queue is drained.
  std::optional<HashJob> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    HashJob job = std::move(queue_.front());
    queue_.pop_front();
    return job;
  }
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<HashJob> queue_;
  bool closed_ = false;
};

// Called first thing on the hashing threads. The main thread's reading and cutting is the one
// serial stage: with fair shares on two cores it was preempted by the hashers it feeds, which
// then sat idle waiting for windows (perf trace: the whole-file hasher waited 0.3 s of a 1.3 s
// add). At a lower priority the hashers run in every gap the reader leaves and never starve
// it: 1 GiB took 1.25 s instead of 1.36-1.45 s (median of 7, bench/RESULTS.md). Raising a
// thread's nice value needs no privilege; these threads end with the add.
void YieldToTheReader() { ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10); }

// `hashed` gives the chunks' ids, or nothing when the hasher left them to this worker.
StatusOr<Batch> PrepareBatch(std::shared_ptr<const Window> w, std::vector<Chunk> cuts,
                             std::future<std::vector<Sha256Digest>> hashed) {
  YieldToTheReader();
  Batch b;
  b.window = w;
  b.blobs.reserve(cuts.size());
  const std::vector<Sha256Digest> ids = hashed.get();
  for (size_t i = 0; i < cuts.size(); ++i) {
    const std::string_view bytes = w->bytes.substr(cuts[i].offset - w->base, cuts[i].length);
    TRAIL_ASSIGN_OR_RETURN(PreparedBlob blob,
                           ids.empty() ? PrepareBlob(BlobType::kChunk, bytes) : PrepareHashedChunk(ids[i], bytes));
    b.chunks.push_back({blob.id, cuts[i].length});
    b.blobs.push_back(std::move(blob));
  }
  return b;
}

// Files under one window (one image or shard): read whole and stored on this thread; starting
// threads would cost more than the hashing (a folder of them goes through StoreFiles, which
// spreads whole files over the cores instead). The buffer is the file's size as fstat gave it,
// not a window: zero-filling 16 MiB per 200 KiB image cost more than the rest.
StatusOr<FileManifest> StoreSmallFile(LocalStore& store, int fd, const std::string& path, size_t size,
                                      const ChunkerParams& params, bool flush) {
  std::string bytes;
  TRAIL_RETURN_IF_ERROR(ReadSmallFile(fd, path, size, &bytes));
  return StoreBuffer(store, bytes, params, flush);
}

}  // namespace

StatusOr<FileManifest> StoreBuffer(LocalStore& store, std::string_view bytes, const ChunkerParams& params, bool flush) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<PreparedFile> prepared, PrepareFiles({bytes}, {params}));
  TRAIL_RETURN_IF_ERROR(PutPreparedFile(store, prepared[0]));
  if (flush) TRAIL_RETURN_IF_ERROR(store.Flush());
  return std::move(prepared[0].manifest);
}

StatusOr<FileManifest> StoreFile(LocalStore& store, const std::string& path, const ChunkerParams& params, bool flush,
                                 ProgressSink* progress) {
  TRAIL_RETURN_IF_ERROR(params.Validate());
  ScopedFd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) {
    if (errno == ENOENT) return NotFound("no such file: " + path);
    return IoError("cannot open " + path + ": " + std::strerror(errno));
  }
  ::posix_fadvise(in.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  struct stat st {};
  if (::fstat(in.fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) < kWindowSize) {
    auto small = StoreSmallFile(store, in.fd, path, static_cast<size_t>(st.st_size), params, flush);
    if (small.ok()) ReportProgress(progress, 1, small->size);
    return small;
  }

  FileManifest m;
  m.chunking = params;
  Chunker chunker(params);

  // Outlives every window below. Only the main thread takes buffers, and when it does at most
  // kMaxWindowsInFlight - 1 windows wait for it to drain their batches, so the others are held
  // by the hasher (and batch workers that wait only on the hasher) and come back without the
  // main thread's help: no deadlock.
  BufferPool pool(kMaxWindowsInFlight + 2);
  const bool hasher_hashes_chunks = HasSha256PairKernel();
  HashQueue to_hash;
  std::promise<Sha256Digest> whole_done;
  std::future<Sha256Digest> whole = whole_done.get_future();
  std::thread hasher([&] {
    YieldToTheReader();
    Sha256Stream whole;
    while (std::optional<HashJob> job = to_hash.Pop()) {
      std::vector<Sha256Digest> ids(job->chunks.size());
      HashWithStream(&whole, job->window->bytes.substr(job->window->fresh_at), job->chunks, ids.data());
      job->ids.set_value(std::move(ids));
    }
    whole_done.set_value(whole.Final());
  });
  // Each window's batch; the pipeline's own state is torn down on every exit path.
  std::deque<std::future<StatusOr<Batch>>> in_flight;
  auto finish_threads = [&] {
    to_hash.Close();
    if (hasher.joinable()) hasher.join();
    for (auto& f : in_flight) f.wait();
  };
  auto drain_one = [&]() -> Status {
    StatusOr<Batch> b = in_flight.front().get();
    in_flight.pop_front();
    if (!b.ok()) return b.status();
    for (const PreparedBlob& blob : b->blobs) TRAIL_RETURN_IF_ERROR(store.PutPrepared(blob));
    m.chunks.insert(m.chunks.end(), b->chunks.begin(), b->chunks.end());
    return Status::Ok();
  };
  auto run = [&]() -> Status {
    std::string carry;  // bytes after the last cut, not yet in a chunk
    uint64_t carry_base = 0;
    std::vector<Chunk> cuts;
    while (true) {
      auto w = std::make_shared<Window>();
      w->pool = &pool;
      w->base = carry_base;
      w->fresh_at = carry.size();
      w->data = pool.Take(params.max_size + kWindowSize);  // the carry is under one chunk
      std::memcpy(w->data.data(), carry.data(), carry.size());
      TRAIL_ASSIGN_OR_RETURN(size_t got, ReadFull(in.fd, w->data.data() + w->fresh_at, kWindowSize, path));
      w->bytes = std::string_view(w->data.data(), w->fresh_at + got);
      const bool last = got < kWindowSize;
      m.size += got;
      ReportProgress(progress, 0, got);
      cuts.clear();
      chunker.Feed(w->bytes.substr(w->fresh_at), &cuts);
      if (last) chunker.Finish(&cuts);
      const uint64_t cut_end = cuts.empty() ? w->base : cuts.back().offset + cuts.back().length;
      carry.assign(w->bytes.substr(static_cast<size_t>(cut_end - w->base)));
      carry_base = cut_end;
      std::shared_ptr<const Window> shared = w;
      HashJob job{shared, {}, {}};
      if (hasher_hashes_chunks) {
        for (const Chunk& c : cuts) job.chunks.push_back(w->bytes.substr(c.offset - w->base, c.length));
      }
      std::future<std::vector<Sha256Digest>> ids = job.ids.get_future();
      to_hash.Push(std::move(job));
      if (!cuts.empty()) {
        in_flight.push_back(std::async(std::launch::async, PrepareBatch, shared, std::move(cuts), std::move(ids)));
        cuts = {};
      }
      while (in_flight.size() >= kMaxWindowsInFlight) TRAIL_RETURN_IF_ERROR(drain_one());
      if (last) break;
    }
    while (!in_flight.empty()) {
      // The last window's chunks start a pack of their own (unless the current one is small):
      // the current pack is written while they are hashed, and the add ends waiting for a
      // write of at most one window, not of up to a whole pack.
      if (in_flight.size() == 1) TRAIL_RETURN_IF_ERROR(store.SealIfAtLeast(kWindowSize));
      TRAIL_RETURN_IF_ERROR(drain_one());
    }
    return Status::Ok();
  };
  Status s = run();
  finish_threads();
  TRAIL_RETURN_IF_ERROR(s);
  m.id = whole.get();
  const std::string json = ManifestToJson(m);
  TRAIL_ASSIGN_OR_RETURN(PreparedBlob manifest, PrepareBlob(BlobType::kFile, json, &m.id));
  TRAIL_RETURN_IF_ERROR(store.PutPrepared(manifest));
  if (flush) TRAIL_RETURN_IF_ERROR(store.Flush());
  ReportProgress(progress, 1, 0);
  return m;
}

}  // namespace trail::store
