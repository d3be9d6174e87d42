#include "reproduce/array_comparison.h"

#include <cstdint>
#include <map>
#include <optional>

#include "datafile/npy.h"
#include "store/file_store.h"
#include "store/local_store.h"
#include "store/oid.h"

namespace trail::reproduce {
namespace {

constexpr uint64_t kMaxArtifactBytes = uint64_t{1} << 30;

bool EndsWith(const std::string& s, const char* suffix) {
  std::string_view x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

uint32_t Le(std::string_view b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

struct Array {
  std::string descr;
  bool fortran_order = false;
  std::vector<uint64_t> shape;
  std::string_view data;
};

std::optional<Array> ReadNpy(std::string_view bytes, const std::string& name, std::string* why) {
  auto header = datafile::ParseNpyHeader(bytes, name);
  if (!header.ok()) {
    *why = header.status().message();
    return std::nullopt;
  }
  if (header->data_offset > bytes.size()) {
    *why = name + ": truncated";
    return std::nullopt;
  }
  return Array{header->descr, header->fortran_order, header->shape, bytes.substr(header->data_offset)};
}

// The members of a zip archive that np.savez wrote (stored, not deflated), name -> bytes, read
// through the central directory. nullopt with `why` for anything else.
std::optional<std::map<std::string, std::string_view>> ReadStoredZip(std::string_view z, std::string* why) {
  constexpr size_t kEocd = 22;
  if (z.size() < kEocd) {
    *why = "not a zip archive";
    return std::nullopt;
  }
  size_t eocd = std::string_view::npos;
  for (size_t at = z.size() - kEocd + 1; at-- > 0 && z.size() - at <= kEocd + 65535;) {
    if (Le(z, at, 4) == 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd == std::string_view::npos) {
    *why = "not a zip archive (no end of central directory)";
    return std::nullopt;
  }
  uint64_t entries = Le(z, eocd + 10, 2), cd_size = Le(z, eocd + 12, 4), cd_at = Le(z, eocd + 16, 4);
  if (cd_at > z.size() || cd_size > z.size() - cd_at) {
    *why = "zip central directory out of bounds";
    return std::nullopt;
  }
  std::map<std::string, std::string_view> out;
  size_t at = cd_at;
  for (uint64_t i = 0; i < entries; ++i) {
    if (at + 46 > z.size() || Le(z, at, 4) != 0x02014b50) {
      *why = "malformed zip central directory";
      return std::nullopt;
    }
    uint32_t method = Le(z, at + 10, 2), csize = Le(z, at + 20, 4), usize = Le(z, at + 24, 4);
    uint32_t name_len = Le(z, at + 28, 2), extra_len = Le(z, at + 30, 2), comment_len = Le(z, at + 32, 2);
    uint32_t local = Le(z, at + 42, 4);
    if (at + 46 + name_len > z.size()) {
      *why = "malformed zip central directory";
      return std::nullopt;
    }
    std::string name(z.substr(at + 46, name_len));
    if (method != 0) {
      *why = "compressed members (np.savez_compressed): arrays not compared";
      return std::nullopt;
    }
    if (csize == 0xffffffffu || usize == 0xffffffffu || local == 0xffffffffu || csize != usize) {
      *why = "ZIP64 members: arrays not compared";
      return std::nullopt;
    }
    if (local + uint64_t{30} > z.size() || Le(z, local, 4) != 0x04034b50) {
      *why = "malformed zip member " + name;
      return std::nullopt;
    }
    uint64_t data = local + uint64_t{30} + Le(z, local + 26, 2) + Le(z, local + 28, 2);
    if (data > z.size() || csize > z.size() - data) {
      *why = "zip member " + name + " out of bounds";
      return std::nullopt;
    }
    out[name] = z.substr(data, csize);
    at += 46 + uint64_t{name_len} + extra_len + comment_len;
  }
  return out;
}

std::optional<std::map<std::string, std::string_view>> Members(const std::string& path, std::string_view bytes,
                                                               std::string* why) {
  if (EndsWith(path, ".npy")) return std::map<std::string, std::string_view>{{path, bytes}};
  return ReadStoredZip(bytes, why);
}

}  // namespace

ContentVerdict CompareArrayFiles(const std::string& path, std::string_view a, std::string_view b) {
  if (!EndsWith(path, ".npy") && !EndsWith(path, ".npz")) {
    size_t dot = path.rfind('.');
    std::string ext = dot == std::string::npos || path.find('/', dot) != std::string::npos ? path : path.substr(dot);
    return {false, "trail cannot compare " + ext + " contents yet"};
  }
  std::string why;
  auto ma = Members(path, a, &why);
  auto mb = ma ? Members(path, b, &why) : std::nullopt;
  if (!ma || !mb) return {false, why};
  auto label_of = [](const std::string& name) {
    std::string base = name.substr(name.rfind('/') + 1);  // a standalone .npy: its file name
    return EndsWith(base, ".npy") ? base.substr(0, base.size() - 4) : base;
  };
  for (const auto& [name, _] : *ma)
    if (!mb->count(name)) return {false, "array " + label_of(name) + " only in the recorded run"};
  for (const auto& [name, _] : *mb)
    if (!ma->count(name)) return {false, "array " + label_of(name) + " only in the reproduction"};
  for (const auto& [name, bytes] : *ma) {
    std::string label = label_of(name);
    auto x = ReadNpy(bytes, name, &why);
    auto y = x ? ReadNpy(mb->at(name), name, &why) : std::nullopt;
    if (!x || !y) return {false, why};
    if (x->descr != y->descr || x->shape != y->shape || x->fortran_order != y->fortran_order)
      return {false, "array " + label + " differs in dtype or shape"};
    if (x->data != y->data) return {false, "array " + label + " differs"};
  }
  return {true, "arrays equal"};
}

ArtifactComparer StoreArtifactComparer(const Project& project) {
  std::string store_dir = project.store_dir();
  return [store_dir](const Json& recorded, const Json& reproduced) -> ContentVerdict {
    std::string path = recorded.value("path", "");
    if (!EndsWith(path, ".npy") && !EndsWith(path, ".npz")) return CompareArrayFiles(path, "", "");
    auto store = store::LocalStore::Open(store_dir);
    if (!store.ok()) return {false, "arrays not compared: " + store.status().message()};
    std::string bytes[2];
    const Json* sides[2] = {&recorded, &reproduced};
    for (int i = 0; i < 2; ++i) {
      auto oid = store::ParseOid(sides[i]->value("oid", ""));
      if (!oid) return {false, "arrays not compared: no content id"};
      auto read = store::ReadFileBytes(**store, *oid, kMaxArtifactBytes);
      if (!read.ok()) return {false, "arrays not compared: " + read.status().message()};
      bytes[i] = std::move(*read);
    }
    return CompareArrayFiles(path, bytes[0], bytes[1]);
  };
}

}  // namespace trail::reproduce
