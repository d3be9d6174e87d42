#include "store/file_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/files.h"

namespace trail::store {
namespace {

constexpr size_t kBlockSize = size_t{8} << 20;

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
      !GetU64(*ch, "max", &mx) || mn > UINT32_MAX || avg > UINT32_MAX || mx > UINT32_MAX) {
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

}  // namespace trail::store
