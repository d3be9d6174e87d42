#include "store/pack.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "store/compress.h"
#include "store/sha256_pair.h"

namespace trail::store {
namespace {

// The index of a 64 MiB pack of minimum-size chunks is well under this; a tail declaring more
// is corrupt, and refusing it keeps a bad header from allocating gigabytes.
constexpr uint64_t kMaxIndexRawSize = uint64_t{256} << 20;

Status PackError(std::string_view pack_id, uint64_t offset, const std::string& what) {
  return Corrupt("pack " + std::string(pack_id) + ": offset " + std::to_string(offset) + ": " + what);
}

void AppendU32Le(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t ReadU32Le(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

bool PackGetU64(const nlohmann::json& j, const char* key, uint64_t* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) return false;
  *out = it->get<uint64_t>();
  return true;
}

// One index line -> entry; nullopt-like error string on failure.
std::string ParseEntry(std::string_view line, PackEntry* e) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return "not a JSON object";
  auto id = j.find("id");
  if (id == j.end() || !id->is_string()) return "no \"id\"";
  auto digest = ParseHexId(id->get_ref<const std::string&>());
  if (!digest) return "bad \"id\"";
  e->id = *digest;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return "no \"type\"";
  auto t = ParseBlobType(type->get_ref<const std::string&>());
  if (!t) return "unknown type \"" + type->get<std::string>() + "\"";
  e->type = *t;
  if (!PackGetU64(j, "offset", &e->offset)) return "bad \"offset\"";
  if (!PackGetU64(j, "stored", &e->stored)) return "bad \"stored\"";
  if (!PackGetU64(j, "raw", &e->raw)) return "bad \"raw\"";
  auto z = j.find("zstd");
  if (z == j.end() || !z->is_boolean()) return "bad \"zstd\"";
  e->zstd = z->get<bool>();
  if (e->type == BlobType::kFile) {
    auto sum = j.find("sum");
    if (sum == j.end() || !sum->is_string()) return "file manifest without \"sum\"";
    auto d = ParseHexId(sum->get_ref<const std::string&>());
    if (!d) return "bad \"sum\"";
    e->sum = *d;
  }
  if (e->raw > kMaxBlobRawSize) return "blob of " + std::to_string(e->raw) + " bytes is over the limit";
  if (!e->zstd && e->stored != e->raw) return "uncompressed blob with stored != raw";
  // A frame is never larger than zstd's bound for its content, so a bigger `stored` is a lie
  // that would otherwise make a reader allocate it.
  if (e->zstd && e->stored > ZSTD_compressBound(e->raw)) return "compressed blob larger than its bound";
  if (e->offset < kPackMagic.size()) return "blob offset inside the pack header";
  if (e->offset > (uint64_t{1} << 62)) return "blob offset out of bounds";
  return "";
}

}  // namespace

std::string_view BlobTypeName(BlobType type) {
  switch (type) {
    case BlobType::kChunk:
      return "chunk";
    case BlobType::kFile:
      return "file";
    case BlobType::kTree:
      return "tree";
  }
  return "chunk";
}

std::optional<BlobType> ParseBlobType(std::string_view name) {
  if (name == "chunk") return BlobType::kChunk;
  if (name == "file") return BlobType::kFile;
  if (name == "tree") return BlobType::kTree;
  return std::nullopt;
}

std::optional<Sha256Digest> ParseHexId(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Sha256Digest d{};
  for (size_t i = 0; i < 32; ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return d;
}

std::string_view FinishedPack::IndexTail() const { return bytes.view().substr(index_offset); }

PackWriter::PackWriter(size_t target_size) : target_size_(target_size) {}

namespace {

// Compresses `raw` into `b` when the probe says it pays, else keeps the raw bytes.
StatusOr<PreparedBlob> CompressIfItPays(PreparedBlob b, std::string_view raw) {
  if (!raw.empty() && WorthCompressing(raw)) {
    TRAIL_ASSIGN_OR_RETURN(std::string frame, Compress(raw));
    // The probe looks at samples only; keep the raw bytes when the whole chunk did not shrink.
    if (frame.size() < raw.size()) {
      b.zstd = true;
      b.compressed = std::move(frame);
    }
  }
  if (!b.zstd) b.raw = raw;
  return b;
}

Status CheckBlobSize(std::string_view raw) {
  if (raw.size() > kMaxBlobRawSize)
    return InvalidArgument("blob of " + std::to_string(raw.size()) + " bytes is too large");
  return Status::Ok();
}

}  // namespace

StatusOr<PreparedBlob> PrepareBlob(BlobType type, std::string_view raw, const Sha256Digest* id) {
  TRAIL_RETURN_IF_ERROR(CheckBlobSize(raw));
  PreparedBlob b;
  b.type = type;
  b.raw_size = raw.size();
  const Sha256Digest own = Sha256Of(raw);
  if (type == BlobType::kFile) {
    if (id == nullptr) return InvalidArgument("a file manifest needs its file's id");
    b.id = *id;
    b.sum = own;
  } else {
    b.id = own;
  }
  return CompressIfItPays(std::move(b), raw);
}

StatusOr<PreparedBlob> PrepareHashedChunk(const Sha256Digest& id, std::string_view raw) {
  TRAIL_RETURN_IF_ERROR(CheckBlobSize(raw));
  PreparedBlob b;
  b.type = BlobType::kChunk;
  b.raw_size = raw.size();
  b.id = id;
  return CompressIfItPays(std::move(b), raw);
}

Status PackWriter::Add(const Sha256Digest& id, BlobType type, std::string_view raw) {
  TRAIL_ASSIGN_OR_RETURN(PreparedBlob b, PrepareBlob(type, raw, &id));
  if (type != BlobType::kFile && b.id != id) return InvalidArgument("blob content does not hash to " + ToHex(id));
  return AddPrepared(b);
}

Status PackWriter::AddPrepared(const PreparedBlob& b) {
  if (buffer_.empty()) StartPack();
  PackEntry e;
  e.id = b.id;
  e.type = b.type;
  e.offset = buffer_.size();
  e.raw = b.raw_size;
  e.zstd = b.zstd;
  e.sum = b.sum;
  const std::string_view stored = b.zstd ? std::string_view(b.compressed) : b.raw;
  if (!b.zstd && stored.size() != b.raw_size) return InvalidArgument("prepared blob lost its bytes");
  e.stored = stored.size();
  buffer_.Append(stored);
  entries_.push_back(e);
  return Status::Ok();
}

const PackEntry* PackWriter::Find(BlobType type, const Sha256Digest& id) const {
  for (const PackEntry& e : entries_) {
    if (e.id == id && e.type == type) return &e;
  }
  return nullptr;
}

StatusOr<std::string> PackWriter::ReadPending(const PackEntry& entry) const {
  return ReadBlob(buffer_.view(), entry, "(unwritten)");
}

void PackWriter::StartPack() {
  buffer_ = std::move(spare_);
  buffer_.Clear();
  buffer_.Reserve(target_size_ + (size_t{4} << 20));
  buffer_.Append(kPackMagic);
}

void PackWriter::Recycle(AlignedBuffer spare) { spare_ = std::move(spare); }

StatusOr<FinishedPack> PackWriter::Finish() {
  if (buffer_.empty()) StartPack();
  std::string lines;
  for (const PackEntry& e : entries_) {
    nlohmann::ordered_json j;
    j["id"] = ToHex(e.id);
    j["type"] = BlobTypeName(e.type);
    j["offset"] = e.offset;
    j["stored"] = e.stored;
    j["raw"] = e.raw;
    j["zstd"] = e.zstd;
    if (e.type == BlobType::kFile) j["sum"] = ToHex(e.sum);
    lines += j.dump();
    lines += '\n';
  }
  TRAIL_ASSIGN_OR_RETURN(std::string index, Compress(lines));
  if (index.size() > UINT32_MAX) return Internal("pack index too large");
  FinishedPack pack;
  pack.index_offset = buffer_.size();
  AppendU32Le(&index, static_cast<uint32_t>(index.size()));
  index.append(kIndexMagic);
  buffer_.Append(index);
  pack.bytes = std::move(buffer_);
  pack.entries = std::move(entries_);
  pack.id = ToHex(Sha256Of(pack.IndexTail()));
  entries_.clear();
  return pack;
}

StatusOr<std::vector<PackEntry>> ParsePackIndex(std::string_view data, std::string_view pack_id) {
  if (data.size() < kPackTrailerSize) return PackError(pack_id, 0, "too short for a pack trailer");
  const size_t magic_at = data.size() - kIndexMagic.size();
  if (data.substr(magic_at) != kIndexMagic) return PackError(pack_id, magic_at, "bad index magic");
  const size_t len_at = data.size() - kPackTrailerSize;
  const uint32_t index_len = ReadU32Le(data.data() + len_at);
  if (index_len > len_at)
    return PackError(pack_id, len_at, "index length " + std::to_string(index_len) + " runs past the start");
  const size_t index_at = len_at - index_len;
  const std::string_view frame = data.substr(index_at, index_len);
  const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN) {
    return PackError(pack_id, index_at, "index is not a zstd frame with a size");
  }
  if (declared > kMaxIndexRawSize)
    return PackError(pack_id, index_at, "index declares " + std::to_string(declared) + " bytes");
  auto text = Decompress(frame, static_cast<size_t>(declared));
  if (!text.ok()) return PackError(pack_id, index_at, "index: " + text.status().message());

  std::vector<PackEntry> entries;
  std::string_view rest = *text;
  size_t line_no = 0;
  while (!rest.empty()) {
    ++line_no;
    const size_t nl = rest.find('\n');
    if (nl == std::string_view::npos)
      return PackError(pack_id, index_at, "index line " + std::to_string(line_no) + " is not terminated");
    PackEntry e;
    const std::string err = ParseEntry(rest.substr(0, nl), &e);
    if (!err.empty()) return PackError(pack_id, index_at, "index line " + std::to_string(line_no) + ": " + err);
    entries.push_back(e);
    rest.remove_prefix(nl + 1);
  }
  return entries;
}

StatusOr<std::vector<PackEntry>> ParsePack(std::string_view pack, std::string_view pack_id) {
  if (pack.size() < kPackMagic.size() || pack.substr(0, kPackMagic.size()) != kPackMagic) {
    return PackError(pack_id, 0, "bad pack magic");
  }
  TRAIL_ASSIGN_OR_RETURN(std::vector<PackEntry> entries, ParsePackIndex(pack, pack_id));
  // The index starts where the trailer says; blobs must end before it.
  const uint64_t index_at = pack.size() - kPackTrailerSize - ReadU32Le(pack.data() + pack.size() - kPackTrailerSize);
  if (index_at < kPackMagic.size()) return PackError(pack_id, index_at, "index overlaps the pack header");
  for (const PackEntry& e : entries) {
    if (e.offset > index_at || e.stored > index_at - e.offset) {
      return PackError(pack_id, e.offset, "blob " + ToHex(e.id) + " runs into the index");
    }
  }
  return entries;
}

StatusOr<std::vector<PackEntry>> VerifyPack(std::string_view pack, std::string_view pack_id) {
  TRAIL_ASSIGN_OR_RETURN(std::vector<PackEntry> entries, ParsePack(pack, pack_id));
  const size_t index_at = pack.size() - kPackTrailerSize - ReadU32Le(pack.data() + pack.size() - kPackTrailerSize);
  const std::string actual = ToHex(Sha256Of(pack.substr(index_at)));
  if (actual != pack_id) return PackError(pack_id, index_at, "index hashes to " + actual + ", not the pack's name");
  for (const PackEntry& e : entries) {
    TRAIL_RETURN_IF_ERROR(ReadBlob(pack, e, pack_id).status());
  }
  return entries;
}

StatusOr<std::string> VerifiedIndexTail(std::string_view pack, std::string_view pack_id) {
  TRAIL_RETURN_IF_ERROR(VerifyPack(pack, pack_id).status());
  const size_t index_at = pack.size() - kPackTrailerSize - ReadU32Le(pack.data() + pack.size() - kPackTrailerSize);
  return std::string(pack.substr(index_at));
}

StatusOr<std::string> DecodeBlob(std::string_view stored, const PackEntry& entry, std::string_view pack_id) {
  return DecodeBlob(std::string(stored), entry, pack_id);
}

namespace {

// DecodeBlob without the hash check: sizes, then decompression.
StatusOr<std::string> DecodeUnverified(std::string&& stored, const PackEntry& entry, std::string_view pack_id) {
  if (stored.size() != entry.stored) {
    return PackError(
        pack_id, entry.offset,
        "blob truncated: " + std::to_string(stored.size()) + " of " + std::to_string(entry.stored) + " bytes");
  }
  if (entry.raw > kMaxBlobRawSize) return PackError(pack_id, entry.offset, "blob size over the limit");
  if (entry.zstd) {
    auto d = Decompress(stored, static_cast<size_t>(entry.raw));
    if (!d.ok()) return PackError(pack_id, entry.offset, d.status().message());
    return std::move(d).value();
  }
  if (entry.stored != entry.raw) return PackError(pack_id, entry.offset, "uncompressed blob with stored != raw");
  return std::move(stored);  // the bytes read are the blob: no copy
}

// What a blob's bytes must hash to: its id, or for a file manifest (whose id is the file's
// hash) its sum.
const Sha256Digest& Expected(const PackEntry& entry) { return entry.type == BlobType::kFile ? entry.sum : entry.id; }

Status Mismatch(const PackEntry& entry, std::string_view pack_id) {
  return PackError(pack_id, entry.offset, "blob does not match its id " + ToHex(entry.id));
}

}  // namespace

StatusOr<std::string> DecodeBlob(std::string&& stored, const PackEntry& entry, std::string_view pack_id) {
  TRAIL_ASSIGN_OR_RETURN(std::string raw, DecodeUnverified(std::move(stored), entry, pack_id));
  if (Sha256Of(raw) != Expected(entry)) return Mismatch(entry, pack_id);
  return raw;
}

Status VerifyBlobs(const std::vector<std::string_view>& raws, const std::vector<PackEntry>& entries,
                   const std::vector<std::string_view>& pack_ids) {
  std::vector<Sha256Digest> got(raws.size());
  HashWithStream(nullptr, {}, raws, got.data());
  for (size_t i = 0; i < raws.size(); ++i) {
    if (got[i] != Expected(entries[i])) return Mismatch(entries[i], pack_ids[i]);
  }
  return Status::Ok();
}

StatusOr<std::string> ReadBlob(std::string_view pack, const PackEntry& entry, std::string_view pack_id) {
  if (entry.offset > pack.size() || entry.stored > pack.size() - entry.offset) {
    return PackError(pack_id, entry.offset, "blob runs past the end of the pack");
  }
  return DecodeBlob(pack.substr(entry.offset, entry.stored), entry, pack_id);
}

StatusOr<std::string> ReadBlobFromFile(int fd, const PackEntry& entry, std::string_view pack_id) {
  TRAIL_ASSIGN_OR_RETURN(std::string raw, ReadBlobFromFileUnverified(fd, entry, pack_id));
  if (Sha256Of(raw) != Expected(entry)) return Mismatch(entry, pack_id);
  return raw;
}

StatusOr<std::string> ReadBlobFromFileUnverified(int fd, const PackEntry& entry, std::string_view pack_id) {
  // Check the range against the file before allocating for it: the index may be wrong.
  struct stat st;
  if (::fstat(fd, &st) != 0) return IoError("pack " + std::string(pack_id) + ": stat: " + std::strerror(errno));
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (entry.offset > file_size || entry.stored > file_size - entry.offset) {
    return PackError(pack_id, entry.offset,
                     "blob runs past the end of the pack (" + std::to_string(file_size) + " bytes)");
  }
  std::string buf(entry.stored, '\0');
  size_t done = 0;
  while (done < buf.size()) {
    const ssize_t n = ::pread(fd, buf.data() + done, buf.size() - done, static_cast<off_t>(entry.offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("pack " + std::string(pack_id) + ": read: " + std::strerror(errno));
    }
    if (n == 0) break;  // end of file: DecodeBlob reports the truncation
    done += static_cast<size_t>(n);
  }
  buf.resize(done);
  return DecodeUnverified(std::move(buf), entry, pack_id);
}

}  // namespace trail::store
