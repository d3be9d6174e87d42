// RestoreFile: chunks are read from their packs and verified on worker threads, one group of
// about 16 MiB per task, while this thread writes the groups in order; memory stays at a few
// groups whatever the file's size.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <vector>

#include "base/files.h"
#include "store/direct_write.h"
#include "store/file_store.h"

namespace trail::store {
namespace {

constexpr uint64_t kGroupBytes = uint64_t{16} << 20;
constexpr size_t kMaxGroupsInFlight = 4;

// The chunks [begin, end) of the manifest, read and verified.
StatusOr<std::vector<std::string>> ReadGroup(const LocalStore& store, const FileManifest& m, size_t begin, size_t end) {
  std::vector<Sha256Digest> ids;
  for (size_t i = begin; i < end; ++i) ids.push_back(m.chunks[i].id);
  auto chunks = store.GetMany(BlobType::kChunk, ids);
  if (!chunks.ok()) return chunks.status().WithContext("file " + ToHex(m.id));
  for (size_t i = begin; i < end; ++i) {
    if ((*chunks)[i - begin].size() != m.chunks[i].size)
      return Corrupt("file " + ToHex(m.id) + ": chunk " + ToHex(m.chunks[i].id) + " has the wrong size");
  }
  return chunks;
}

}  // namespace

StatusOr<FileManifest> LoadManifest(const LocalStore& store, const Sha256Digest& file_id) {
  TRAIL_ASSIGN_OR_RETURN(std::string json, store.Get(BlobType::kFile, file_id));
  return ManifestFromJson(json, file_id);
}

StatusOr<std::string> ReadFileBytes(const LocalStore& store, const Sha256Digest& file_id, uint64_t max_size) {
  TRAIL_ASSIGN_OR_RETURN(FileManifest m, LoadManifest(store, file_id));
  if (m.size > max_size)
    return FailedPrecondition("file " + ToHex(file_id) + " is " + std::to_string(m.size) + " bytes, over the limit");
  TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> chunks, ReadGroup(store, m, 0, m.chunks.size()));
  std::string out;
  out.reserve(m.size);
  for (const std::string& c : chunks) out += c;
  return out;
}

Status RestoreFile(const LocalStore& store, const Sha256Digest& file_id, const std::string& out_path, bool verify_whole,
                   ProgressSink* progress) {
  TRAIL_ASSIGN_OR_RETURN(FileManifest m, LoadManifest(store, file_id));

  // Named so the .gitignore trail writes beside tracked data ignores it, and so the next
  // status or checkout can remove it if this process is killed (util/files.h). A fresh file of
  // our own: a leftover (or planted) link by the temp name is removed, not followed.
  const std::string tmp = TempPathFor(out_path);
  ::unlink(tmp.c_str());
  ScopedFd out{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)};
  if (out.fd < 0) return IoError("cannot create " + tmp + ": " + std::strerror(errno));
  std::deque<std::future<StatusOr<std::vector<std::string>>>> in_flight;
  auto writer = std::make_unique<DirectWriter>(out.fd, tmp);
  Sha256 whole;
  auto drain_one = [&]() -> Status {
    StatusOr<std::vector<std::string>> chunks = in_flight.front().get();
    in_flight.pop_front();
    if (!chunks.ok()) return chunks.status();
    for (const std::string& c : *chunks) {
      if (verify_whole) whole.Update(c);
      TRAIL_RETURN_IF_ERROR(writer->Append(c));
      ReportProgress(progress, 0, c.size());
    }
    return Status::Ok();
  };
  auto run = [&]() -> Status {
    size_t begin = 0;
    while (begin < m.chunks.size()) {
      size_t end = begin;
      uint64_t bytes = 0;
      while (end < m.chunks.size() && (end == begin || bytes + m.chunks[end].size <= kGroupBytes)) {
        bytes += m.chunks[end].size;
        ++end;
      }
      in_flight.push_back(std::async(std::launch::async, ReadGroup, std::cref(store), std::cref(m), begin, end));
      begin = end;
      while (in_flight.size() >= kMaxGroupsInFlight) TRAIL_RETURN_IF_ERROR(drain_one());
    }
    while (!in_flight.empty()) TRAIL_RETURN_IF_ERROR(drain_one());
    TRAIL_RETURN_IF_ERROR(writer->Finish());
    writer.reset();
    if (verify_whole && whole.Final() != file_id)
      return Corrupt("file " + ToHex(file_id) + ": restored content does not match its id");
    if (::fsync(out.fd) != 0) return IoError("cannot fsync " + tmp + ": " + std::strerror(errno));
    const int fd = out.fd;
    out.fd = -1;
    if (::close(fd) != 0) return IoError("cannot close " + tmp + ": " + std::strerror(errno));
    if (::rename(tmp.c_str(), out_path.c_str()) != 0)
      return IoError("cannot rename to " + out_path + ": " + std::strerror(errno));
    const size_t slash = out_path.find_last_of('/');
    return SyncDirectory(slash == std::string::npos ? "." : (slash == 0 ? "/" : out_path.substr(0, slash)));
  };
  Status s = run();
  for (auto& f : in_flight) f.wait();
  if (!s.ok()) ::unlink(tmp.c_str());
  if (s.ok()) ReportProgress(progress, 1, 0);
  return s;
}

}  // namespace trail::store
