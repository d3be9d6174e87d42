#include "tracked/pointer.h"

#include "base/files.h"
#include "base/yaml.h"
#include "store/pack.h"

namespace trail {

std::string PointerToYaml(const Pointer& p) {
  Json j;
  j["trail"] = 1;
  j["type"] = p.folder ? "folder" : "file";
  j["oid"] = OidString(p.oid);
  j["size"] = p.size;
  j["files"] = p.files;
  return EmitYaml(j);
}

StatusOr<Pointer> ParsePointer(const std::string& text, const std::string& path) {
  auto parsed = ParseYaml(text, path, 4);
  if (!parsed.ok()) return InvalidArgument(path + ": not a trail pointer file (" + parsed.status().message() + ")");
  const Json& j = *parsed;
  auto bad = [&](const std::string& what) { return InvalidArgument(path + ": not a trail pointer file: " + what); };
  if (!j.is_object()) return bad("not a mapping");
  if (!j.contains("trail") || !j["trail"].is_number_integer()) return bad("no \"trail: 1\"");
  if (j["trail"].get<int64_t>() != 1)
    return bad("version " + std::to_string(j["trail"].get<int64_t>()) + " is newer than this trail");
  Pointer p;
  const std::string type = j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "file";
  if (type != "file" && type != "folder") return bad("unknown type \"" + type + "\"");
  p.folder = type == "folder";
  if (!j.contains("oid") || !j["oid"].is_string()) return bad("no oid");
  auto oid = ParseOid(j["oid"].get<std::string>());
  if (!oid) return bad("bad oid \"" + j["oid"].get<std::string>() + "\"");
  p.oid = *oid;
  // YAML integers come back signed; a negative one is as bad as a missing one.
  auto count = [&](const char* key, uint64_t* out) {
    if (!j.contains(key) || !j[key].is_number_integer() || j[key].get<int64_t>() < 0) return false;
    *out = j[key].get<uint64_t>();
    return true;
  };
  if (!count("size", &p.size)) return bad("bad size");
  if (j.contains("files") && !count("files", &p.files)) return bad("bad files");
  return p;
}

StatusOr<Pointer> ReadPointer(const std::string& path, Env& env) {
  TRAIL_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
  return ParsePointer(text, path);
}

}  // namespace trail
