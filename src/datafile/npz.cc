#include "datafile/npz.h"

#include <zlib.h>

#include <algorithm>

#include "datafile/npy.h"

namespace trail::datafile {
namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kZip64EndOfDirectory = 0x06064b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr size_t kEndOfDirectorySize = 22;
constexpr size_t kMaxComment = 65535;
// A directory bigger than this is not an .npz anyone wrote (it would hold millions of arrays).
constexpr uint64_t kMaxDirectorySize = 64 << 20;

uint64_t Le(std::string_view b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

struct Directory {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t entries = 0;
};

StatusOr<Directory> FindDirectory(const InputFile& file) {
  const std::string& name = file.path();
  if (file.size() < kEndOfDirectorySize) return Corrupt(name + ": not a zip archive (too short)");
  uint64_t tail_size = std::min<uint64_t>(file.size(), kEndOfDirectorySize + kMaxComment);
  uint64_t tail_start = file.size() - tail_size;
  std::string tail;
  TRAIL_RETURN_IF_ERROR(file.ReadAt(tail_start, static_cast<size_t>(tail_size), &tail));
  // The end-of-directory record is the last one whose signature appears; scan backwards.
  size_t at = std::string::npos;
  for (size_t i = tail.size() - kEndOfDirectorySize + 1; i-- > 0;) {
    if (Le(tail, i, 4) == kEndOfDirectory) {
      at = i;
      break;
    }
  }
  if (at == std::string::npos) return Corrupt(name + ": not a zip archive or truncated (no end-of-directory record)");
  Directory dir;
  dir.entries = Le(tail, at + 10, 2);
  dir.size = Le(tail, at + 12, 4);
  dir.offset = Le(tail, at + 16, 4);
  if (dir.entries == 0xffff || dir.size == 0xffffffff || dir.offset == 0xffffffff) {
    // ZIP64: a locator just before the record points at the 64-bit end-of-directory record.
    uint64_t eocd = tail_start + at;
    if (eocd < 20) return Corrupt(name + ": ZIP64 locator missing");
    std::string loc;
    TRAIL_RETURN_IF_ERROR(file.ReadAt(eocd - 20, 20, &loc));
    if (Le(loc, 0, 4) != kZip64Locator) return Corrupt(name + ": ZIP64 locator missing");
    uint64_t rec_at = Le(loc, 8, 8);
    std::string rec;
    if (rec_at > file.size() || file.size() - rec_at < 56) return Corrupt(name + ": ZIP64 record out of bounds");
    TRAIL_RETURN_IF_ERROR(file.ReadAt(rec_at, 56, &rec));
    if (Le(rec, 0, 4) != kZip64EndOfDirectory) return Corrupt(name + ": bad ZIP64 end-of-directory record");
    dir.entries = Le(rec, 32, 8);
    dir.size = Le(rec, 40, 8);
    dir.offset = Le(rec, 48, 8);
  }
  if (dir.offset > file.size() || dir.size > file.size() - dir.offset) {
    return Corrupt(name + ": zip directory at offset " + std::to_string(dir.offset) +
                   " runs past the end (truncated?)");
  }
  if (dir.size > kMaxDirectorySize) return Corrupt(name + ": zip directory of " + std::to_string(dir.size) + " bytes");
  return dir;
}

struct Member {
  std::string name;
  int method = 0;
  uint64_t compressed = 0;
  uint64_t header_offset = 0;
};

// Overrides the 32-bit fields that are 0xffffffff from the ZIP64 extra field (id 1), which lists
// only those, in the order uncompressed size, compressed size, local header offset.
bool ApplyZip64Extra(std::string_view extra, uint64_t uncompressed32, Member* m) {
  size_t i = 0;
  while (i + 4 <= extra.size()) {
    uint64_t id = Le(extra, i, 2), len = Le(extra, i + 2, 2);
    if (i + 4 + len > extra.size()) return false;
    if (id == 1) {
      std::string_view f = extra.substr(i + 4, len);
      size_t k = 0;
      auto next = [&](uint64_t* v) {
        if (k + 8 > f.size()) return false;
        *v = Le(f, k, 8);
        k += 8;
        return true;
      };
      uint64_t ignored;
      if (uncompressed32 == 0xffffffff && !next(&ignored)) return false;
      if (m->compressed == 0xffffffff && !next(&m->compressed)) return false;
      if (m->header_offset == 0xffffffff && !next(&m->header_offset)) return false;
      return true;
    }
    i += 4 + len;
  }
  return m->compressed != 0xffffffff && m->header_offset != 0xffffffff;
}

StatusOr<std::vector<Member>> ReadMembers(const InputFile& file, const Directory& dir) {
  const std::string& name = file.path();
  std::string d;
  TRAIL_RETURN_IF_ERROR(file.ReadAt(dir.offset, static_cast<size_t>(dir.size), &d));
  std::vector<Member> members;
  size_t i = 0;
  for (uint64_t e = 0; e < dir.entries; ++e) {
    if (i + 46 > d.size() || Le(d, i, 4) != kDirectoryEntry) {
      return Corrupt(name + ": bad zip directory entry " + std::to_string(e));
    }
    Member m;
    m.method = static_cast<int>(Le(d, i + 10, 2));
    m.compressed = Le(d, i + 20, 4);
    uint64_t uncompressed = Le(d, i + 24, 4);
    size_t name_len = Le(d, i + 28, 2), extra_len = Le(d, i + 30, 2), comment_len = Le(d, i + 32, 2);
    m.header_offset = Le(d, i + 42, 4);
    if (i + 46 + name_len + extra_len + comment_len > d.size()) {
      return Corrupt(name + ": zip directory entry " + std::to_string(e) + " runs past the directory");
    }
    m.name = d.substr(i + 46, name_len);
    if (!ApplyZip64Extra(std::string_view(d).substr(i + 46 + name_len, extra_len), uncompressed, &m)) {
      return Corrupt(name + ": bad ZIP64 extra field for " + m.name);
    }
    members.push_back(std::move(m));
    i += 46 + name_len + extra_len + comment_len;
  }
  return members;
}

// The first `want` bytes of a member's content (fewer if it is shorter).
StatusOr<std::string> MemberPrefix(const InputFile& file, const Member& m, size_t want) {
  const std::string where = file.path() + ": " + m.name;
  std::string local;
  if (m.header_offset > file.size() || file.size() - m.header_offset < 30)
    return Corrupt(where + ": local header out of bounds");
  TRAIL_RETURN_IF_ERROR(file.ReadAt(m.header_offset, 30, &local));
  if (Le(local, 0, 4) != kLocalHeader) return Corrupt(where + ": bad local header");
  uint64_t data = m.header_offset + 30 + Le(local, 26, 2) + Le(local, 28, 2);
  if (data > file.size() || m.compressed > file.size() - data)
    return Corrupt(where + ": member data runs past the end (truncated?)");
  if (m.method == 0) {  // stored
    std::string out;
    TRAIL_RETURN_IF_ERROR(file.ReadAt(data, static_cast<size_t>(std::min<uint64_t>(want, m.compressed)), &out));
    return out;
  }
  if (m.method != 8)
    return InvalidArgument(where + ": zip compression method " + std::to_string(m.method) + " is not supported");
  // Deflate: inflate input chunk by chunk until `want` bytes come out; never the whole member.
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return Internal(where + ": inflateInit2 failed");
  std::string out(want, '\0');
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(want);
  std::string in;
  uint64_t pos = data, end = data + m.compressed;
  Status status = Status::Ok();
  while (z.avail_out > 0 && pos < end) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(64 << 10, end - pos));
    status = file.ReadAt(pos, chunk, &in);
    if (!status.ok()) break;
    pos += chunk;
    z.next_in = reinterpret_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(chunk);
    int rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      status = Corrupt(where + ": deflate data is corrupt");
      break;
    }
  }
  size_t produced = want - z.avail_out;
  inflateEnd(&z);
  if (!status.ok()) return status;
  out.resize(produced);
  return out;
}

}  // namespace

StatusOr<NpzInfo> ReadNpzInfo(const InputFile& file) {
  TRAIL_ASSIGN_OR_RETURN(Directory dir, FindDirectory(file));
  TRAIL_ASSIGN_OR_RETURN(std::vector<Member> members, ReadMembers(file, dir));
  NpzInfo info;
  for (const Member& m : members) {
    if (m.name.size() < 4 || m.name.compare(m.name.size() - 4, 4, ".npy") != 0) continue;  // not an array
    const std::string where = file.path() + ": " + m.name;
    TRAIL_ASSIGN_OR_RETURN(std::string prefix, MemberPrefix(file, m, kNpyPrefixSize));
    TRAIL_ASSIGN_OR_RETURN(uint64_t header_size, NpyHeaderSize(prefix, where));
    TRAIL_ASSIGN_OR_RETURN(std::string header, MemberPrefix(file, m, static_cast<size_t>(header_size)));
    TRAIL_ASSIGN_OR_RETURN(NpyHeader h, ParseNpyHeader(header, where));
    info.arrays.push_back({m.name.substr(0, m.name.size() - 4), h.shape});
  }
  if (info.arrays.empty()) return Corrupt(file.path() + ": no .npy arrays in the archive");
  auto lead = [](const NpzArray& a) { return a.shape.empty() ? uint64_t{1} : a.shape[0]; };
  for (const NpzArray& a : info.arrays) {
    if (lead(a) != lead(info.arrays[0])) info.leading_dims_differ = true;
  }
  return info;
}

}  // namespace trail::datafile
