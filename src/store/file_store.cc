#include "store/file_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "util/files.h"

namespace trail::store {
namespace {

constexpr size_t kBlockSize = size_t{8} << 20;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status Errno(const std::string& what, const std::string& path) {
  return IoError(what + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

bool GetU64(const nlohmann::json& j, const char* key, uint64_t* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) return false;
  *out = it->get<uint64_t>();
  return true;
}

}  // namespace

std::string ManifestToJson(const FileManifest& m) {
  nlohmann::ordered_json j;
  j["size"] = m.size;
  j["chunker"] = {{"min", m.chunking.min_size}, {"avg", m.chunking.avg_size}, {"max", m.chunking.max_size}};
  nlohmann::ordered_json chunks = nlohmann::ordered_json::array();
  for (const ManifestChunk& c : m.chunks) {
    nlohmann::ordered_json e;
    e["id"] = ToHex(c.id);
    e["size"] = c.size;
    chunks.push_back(std::move(e));
  }
  j["chunks"] = std::move(chunks);
  return j.dump();
}

StatusOr<FileManifest> ManifestFromJson(std::string_view json, const Sha256Digest& id) {
  const std::string where = "file manifest " + ToHex(id);
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corrupt(where + ": not a JSON object");
  FileManifest m;
  m.id = id;
  if (!GetU64(j, "size", &m.size)) return Corrupt(where + ": bad \"size\"");
  auto ch = j.find("chunker");
  uint64_t mn = 0, avg = 0, mx = 0;
  if (ch == j.end() || !ch->is_object() || !GetU64(*ch, "min", &mn) || !GetU64(*ch, "avg", &avg) ||
      !GetU64(*ch, "max", &mx) || mx > UINT32_MAX) {
    return Corrupt(where + ": bad \"chunker\"");
  }
  m.chunking = {static_cast<uint32_t>(mn), static_cast<uint32_t>(avg), static_cast<uint32_t>(mx)};
  auto chunks = j.find("chunks");
  if (chunks == j.end() || !chunks->is_array()) return Corrupt(where + ": bad \"chunks\"");
  uint64_t total = 0;
  for (const auto& c : *chunks) {
    ManifestChunk mc;
    if (!c.is_object()) return Corrupt(where + ": bad chunk entry");
    auto cid = c.find("id");
    if (cid == c.end() || !cid->is_string()) return Corrupt(where + ": chunk without \"id\"");
    auto d = ParseHexId(cid->get_ref<const std::string&>());
    if (!d || !GetU64(c, "size", &mc.size) || mc.size > kMaxBlobRawSize) return Corrupt(where + ": bad chunk entry");
    mc.id = *d;
    total += mc.size;
    m.chunks.push_back(mc);
  }
  if (total != m.size)
    return Corrupt(where + ": chunk sizes add up to " + std::to_string(total) + ", not " + std::to_string(m.size));
  return m;
}

StatusOr<FileManifest> StoreFile(LocalStore& store, const std::string& path, const ChunkerParams& params) {
  TRAIL_RETURN_IF_ERROR(params.Validate());
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return errno == ENOENT ? NotFound("no such file: " + path) : Errno("cannot open", path);

  FileManifest m;
  m.chunking = params;
  Chunker chunker(params);
  Sha256 whole;
  std::vector<Chunk> cuts;
  // Bytes from `base` (a stream offset) on that belong to chunks not yet cut.
  std::string pending;
  uint64_t base = 0;
  std::string block(kBlockSize, '\0');

  auto put_cuts = [&]() -> Status {
    size_t consumed = 0;
    for (const Chunk& c : cuts) {
      const std::string_view bytes = std::string_view(pending).substr(c.offset - base, c.length);
      const Sha256Digest id = Sha256Of(bytes);
      TRAIL_RETURN_IF_ERROR(store.Put(id, BlobType::kChunk, bytes));
      m.chunks.push_back({id, c.length});
      consumed = c.offset + c.length - base;
    }
    if (consumed > 0) {
      pending.erase(0, consumed);
      base += consumed;
    }
    cuts.clear();
    return Status::Ok();
  };

  while (true) {
    const ssize_t n = ::read(in.fd, block.data(), block.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read", path);
    }
    if (n == 0) break;
    const std::string_view got(block.data(), static_cast<size_t>(n));
    whole.Update(got);
    pending.append(got);
    chunker.Feed(got, &cuts);
    TRAIL_RETURN_IF_ERROR(put_cuts());
    m.size += got.size();
  }
  chunker.Finish(&cuts);
  TRAIL_RETURN_IF_ERROR(put_cuts());
  m.id = whole.Final();
  TRAIL_RETURN_IF_ERROR(store.Put(m.id, BlobType::kFile, ManifestToJson(m)));
  TRAIL_RETURN_IF_ERROR(store.Flush());
  return m;
}

Status RestoreFile(const LocalStore& store, const Sha256Digest& file_id, const std::string& out_path) {
  TRAIL_ASSIGN_OR_RETURN(std::string json, store.Get(BlobType::kFile, file_id));
  TRAIL_ASSIGN_OR_RETURN(FileManifest m, ManifestFromJson(json, file_id));

  const std::string tmp = out_path + ".trail-tmp-" + std::to_string(::getpid());
  Fd out{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (out.fd < 0) return Errno("cannot create", tmp);
  auto fail = [&](Status s) {
    ::unlink(tmp.c_str());
    return s;
  };
  Sha256 whole;
  for (const ManifestChunk& c : m.chunks) {
    auto bytes = store.Get(BlobType::kChunk, c.id);
    if (!bytes.ok()) return fail(bytes.status().WithContext("file " + ToHex(file_id)));
    if (bytes->size() != c.size)
      return fail(Corrupt("file " + ToHex(file_id) + ": chunk " + ToHex(c.id) + " has the wrong size"));
    whole.Update(*bytes);
    Status s = WriteAll(out.fd, *bytes, tmp);
    if (!s.ok()) return fail(s);
  }
  if (whole.Final() != file_id)
    return fail(Corrupt("file " + ToHex(file_id) + ": restored content does not match its id"));
  if (::fsync(out.fd) != 0) return fail(Errno("cannot fsync", tmp));
  if (::close(out.fd) != 0) {
    out.fd = -1;
    return fail(Errno("cannot close", tmp));
  }
  out.fd = -1;
  if (::rename(tmp.c_str(), out_path.c_str()) != 0) return fail(Errno("cannot rename to", out_path));
  const size_t slash = out_path.find_last_of('/');
  return SyncDirectory(slash == std::string::npos ? "." : (slash == 0 ? "/" : out_path.substr(0, slash)));
}

}  // namespace trail::store
