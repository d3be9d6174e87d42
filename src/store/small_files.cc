#include "store/small_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <thread>

#include "base/files.h"
#include "store/sha256_pair.h"

namespace trail::store {
namespace {

// A worker's task: consecutive small files up to this many bytes or files. Big enough that
// starting the task costs nothing next to hashing it, small enough that memory stays at a few
// tasks' worth.
constexpr size_t kSmallGroupBytes = size_t{4} << 20;
constexpr size_t kGroupFiles = 256;

// Files [begin, end) read and prepared. The contents are owned here (one allocation each, so
// the blobs' views into them survive moves); the appending thread drops the group when done.
struct Group {
  std::vector<std::unique_ptr<std::string>> contents;
  std::vector<PreparedFile> files;
};

StatusOr<Group> PrepareGroup(const std::vector<std::string>& paths, const std::vector<ChunkerParams>& params,
                             size_t begin, size_t end) {
  Group g;
  std::vector<std::string_view> views;
  for (size_t i = begin; i < end; ++i) {
    ScopedFd in{::open(paths[i].c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0) {
      if (errno == ENOENT) return NotFound("no such file: " + paths[i]);
      return IoError("cannot open " + paths[i] + ": " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(in.fd, &st) != 0) return IoError("cannot stat " + paths[i] + ": " + std::strerror(errno));
    if (static_cast<uint64_t>(st.st_size) >= kSmallFileLimit)
      return FailedPrecondition(paths[i] + " grew while it was being stored");
    g.contents.push_back(std::make_unique<std::string>());
    TRAIL_RETURN_IF_ERROR(ReadSmallFile(in.fd, paths[i], static_cast<size_t>(st.st_size), g.contents.back().get()));
    views.push_back(*g.contents.back());
  }
  std::vector<ChunkerParams> group_params(params.begin() + begin, params.begin() + end);
  TRAIL_ASSIGN_OR_RETURN(g.files, PrepareFiles(views, group_params));
  return g;
}

}  // namespace

StatusOr<size_t> ReadFull(int fd, char* out, size_t want, const std::string& path) {
  size_t got = 0;
  while (got < want) {
    const ssize_t n = ::read(fd, out + got, want - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

Status ReadSmallFile(int fd, const std::string& path, size_t size, std::string* out) {
  out->resize(size);
  TRAIL_ASSIGN_OR_RETURN(size_t got, ReadFull(fd, out->data(), size, path));
  out->resize(got);
  char probe;
  TRAIL_ASSIGN_OR_RETURN(size_t more, ReadFull(fd, &probe, 1, path));
  if (more != 0) return FailedPrecondition(path + " grew while it was being stored");
  return Status::Ok();
}

StatusOr<std::vector<PreparedFile>> PrepareFiles(const std::vector<std::string_view>& contents,
                                                 const std::vector<ChunkerParams>& params) {
  // Every file's whole content is a message to hash, and so is each of its chunks when it has
  // more than one (a single chunk is the whole file, with the same id).
  std::vector<std::vector<Chunk>> cuts(contents.size());
  std::vector<std::string_view> messages;
  for (size_t i = 0; i < contents.size(); ++i) {
    TRAIL_RETURN_IF_ERROR(params[i].Validate());
    cuts[i] = ChunkBuffer(contents[i], params[i]);
    messages.push_back(contents[i]);
    if (cuts[i].size() > 1) {
      for (const Chunk& c : cuts[i]) messages.push_back(contents[i].substr(c.offset, c.length));
    }
  }
  std::vector<Sha256Digest> ids(messages.size());
  HashWithStream(nullptr, {}, messages, ids.data());

  std::vector<PreparedFile> files(contents.size());
  size_t next = 0;
  for (size_t i = 0; i < contents.size(); ++i) {
    PreparedFile& f = files[i];
    f.manifest.chunking = params[i];
    f.manifest.size = contents[i].size();
    f.manifest.id = ids[next++];
    for (const Chunk& c : cuts[i]) {
      const Sha256Digest& id = cuts[i].size() == 1 ? f.manifest.id : ids[next++];
      TRAIL_ASSIGN_OR_RETURN(PreparedBlob blob, PrepareHashedChunk(id, contents[i].substr(c.offset, c.length)));
      f.manifest.chunks.push_back({id, c.length});
      f.blobs.push_back(std::move(blob));
    }
    f.manifest_json = std::make_unique<std::string>(ManifestToJson(f.manifest));
    TRAIL_ASSIGN_OR_RETURN(PreparedBlob manifest, PrepareBlob(BlobType::kFile, *f.manifest_json, &f.manifest.id));
    f.blobs.push_back(std::move(manifest));
  }
  return files;
}

Status PutPreparedFile(LocalStore& store, const PreparedFile& file) {
  for (const PreparedBlob& blob : file.blobs) TRAIL_RETURN_IF_ERROR(store.PutPrepared(blob));
  return Status::Ok();
}

StatusOr<std::vector<FileManifest>> StoreFiles(LocalStore& store, const std::vector<std::string>& paths,
                                               const std::vector<ChunkerParams>& params, ProgressSink* progress) {
  if (paths.size() != params.size()) return InvalidArgument("StoreFiles: one chunking per path");
  for (const ChunkerParams& p : params) TRAIL_RETURN_IF_ERROR(p.Validate());
  // Sizes as listed decide which files go to the workers; -1 (cannot stat) lets the worker
  // report the problem in its turn.
  std::vector<int64_t> sizes(paths.size(), -1);
  for (size_t i = 0; i < paths.size(); ++i) {
    struct stat st {};
    if (::stat(paths[i].c_str(), &st) == 0) sizes[i] = static_cast<int64_t>(st.st_size);
  }
  auto is_big = [&](size_t i) { return sizes[i] >= static_cast<int64_t>(kSmallFileLimit); };
  const size_t max_in_flight = std::clamp<size_t>(std::thread::hardware_concurrency(), 2, 8) + 1;

  std::vector<FileManifest> out;
  out.reserve(paths.size());
  std::deque<std::future<StatusOr<Group>>> in_flight;
  auto drain_one = [&]() -> Status {
    StatusOr<Group> g = in_flight.front().get();
    in_flight.pop_front();
    if (!g.ok()) return g.status();
    for (PreparedFile& f : g->files) {
      TRAIL_RETURN_IF_ERROR(PutPreparedFile(store, f));
      ReportProgress(progress, 1, f.manifest.size);
      out.push_back(std::move(f.manifest));
    }
    return Status::Ok();
  };
  auto run = [&]() -> Status {
    size_t i = 0;
    while (i < paths.size()) {
      if (is_big(i)) {  // in its place in the order, through the streaming pipeline
        while (!in_flight.empty()) TRAIL_RETURN_IF_ERROR(drain_one());
        TRAIL_ASSIGN_OR_RETURN(FileManifest m, StoreFile(store, paths[i], params[i], /*flush=*/false, progress));
        out.push_back(std::move(m));
        ++i;
        continue;
      }
      const size_t begin = i;
      uint64_t bytes = 0;
      while (i < paths.size() && !is_big(i) && i - begin < kGroupFiles && bytes < kSmallGroupBytes) {
        bytes += static_cast<uint64_t>(std::max<int64_t>(sizes[i], 0));
        ++i;
      }
      in_flight.push_back(std::async(std::launch::async, PrepareGroup, std::cref(paths), std::cref(params), begin, i));
      while (in_flight.size() >= max_in_flight) TRAIL_RETURN_IF_ERROR(drain_one());
    }
    while (!in_flight.empty()) TRAIL_RETURN_IF_ERROR(drain_one());
    return Status::Ok();
  };
  Status s = run();
  for (auto& f : in_flight) f.wait();  // they read `paths` and `params`
  TRAIL_RETURN_IF_ERROR(s);
  return out;
}

}  // namespace trail::store
