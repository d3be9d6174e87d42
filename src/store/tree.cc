#include "store/tree.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/safe_path.h"

namespace trail::store {

uint64_t TreeManifest::TotalSize() const {
  uint64_t total = 0;
  for (const TreeEntry& e : entries) total += e.size;
  return total;
}

std::string TreeToJson(const TreeManifest& tree) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const TreeEntry& e : tree.entries) {
    nlohmann::ordered_json j;
    j["path"] = e.path;
    j["mode"] = e.mode;
    j["oid"] = ToHex(e.file);
    j["size"] = e.size;
    entries.push_back(std::move(j));
  }
  nlohmann::ordered_json root;
  root["entries"] = std::move(entries);
  // Never throws: a name that is not UTF-8 (refused before anything is stored, but met when
  // `status` hashes a folder as it is now) is written with U+FFFD, so that tree simply differs.
  return root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

StatusOr<TreeManifest> TreeFromJson(std::string_view json, const Sha256Digest& id) {
  const std::string where = "tree " + ToHex(id);
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corrupt(where + ": not a JSON object");
  auto entries = j.find("entries");
  if (entries == j.end() || !entries->is_array()) return Corrupt(where + ": no \"entries\"");
  TreeManifest tree;
  for (const auto& e : *entries) {
    if (!e.is_object()) return Corrupt(where + ": bad entry");
    auto path = e.find("path");
    auto mode = e.find("mode");
    auto oid = e.find("oid");
    auto size = e.find("size");
    if (path == e.end() || !path->is_string() || mode == e.end() || !mode->is_number_unsigned() || oid == e.end() ||
        !oid->is_string() || size == e.end() || !size->is_number_unsigned()) {
      return Corrupt(where + ": bad entry");
    }
    TreeEntry t;
    t.path = path->get<std::string>();
    if (Status safe = CheckRelativePath(t.path, "path"); !safe.ok()) return Corrupt(where + ": " + safe.message());
    t.mode = mode->get<uint32_t>() & 0777;
    auto d = ParseHexId(oid->get_ref<const std::string&>());
    if (!d) return Corrupt(where + ": bad oid for " + t.path);
    t.file = *d;
    t.size = size->get<uint64_t>();
    if (!tree.entries.empty() && tree.entries.back().path >= t.path)
      return Corrupt(where + ": entries not sorted or duplicated at " + t.path);
    tree.entries.push_back(std::move(t));
  }
  return tree;
}

StatusOr<Sha256Digest> PutTree(LocalStore& store, TreeManifest tree) {
  std::sort(tree.entries.begin(), tree.entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.path < b.path; });
  const std::string json = TreeToJson(tree);
  const Sha256Digest id = Sha256Of(json);
  TRAIL_RETURN_IF_ERROR(store.Put(id, BlobType::kTree, json));
  return id;
}

StatusOr<TreeManifest> LoadTree(const LocalStore& store, const Sha256Digest& id) {
  TRAIL_ASSIGN_OR_RETURN(std::string json, store.Get(BlobType::kTree, id));
  return TreeFromJson(json, id);
}

}  // namespace trail::store
