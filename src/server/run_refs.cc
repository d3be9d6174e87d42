#include "run_refs.h"

#include <cctype>

namespace trail::server {
namespace {

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'; }

void Add(std::vector<NamedObject>* out, const Json& oid, const std::string& name, bool folder) {
  if (!oid.is_string() || !CheckOid(oid.get<std::string>()).ok()) return;
  out->push_back({oid.get<std::string>(), SanitizeFileName(name), folder});
}

std::string Text(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

}  // namespace

Status CheckRunRef(const std::string& ref) {
  if (ref.empty() || ref.size() > 128 || ref == "." || ref == "..") return InvalidArgument("malformed run id");
  for (char c : ref) {
    if (!IsNameChar(c)) return InvalidArgument("malformed run id");
  }
  return Status::Ok();
}

Status CheckOid(const std::string& oid) {
  static const std::string kPrefix = "sha256:";
  if (oid.size() != kPrefix.size() + 64 || oid.compare(0, kPrefix.size(), kPrefix) != 0) {
    return InvalidArgument("malformed content id (expected sha256:<64 hex digits>)");
  }
  for (size_t i = kPrefix.size(); i < oid.size(); ++i) {
    char c = oid[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return InvalidArgument("malformed content id (expected sha256:<64 hex digits>)");
    }
  }
  return Status::Ok();
}

std::string SanitizeFileName(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  std::string out;
  for (char c : base) out += IsNameChar(c) ? c : '_';
  if (out.empty() || out == "." || out == "..") return "download";
  return out;
}

std::vector<NamedObject> NamedObjects(const Json& record) {
  std::vector<NamedObject> out;
  if (!record.is_object()) return out;
  if (record.contains("artifacts") && record["artifacts"].is_array()) {
    for (const Json& a : record["artifacts"]) {
      if (!a.is_object() || !a.contains("oid")) continue;
      Add(&out, a["oid"], Text(a, "path"), Text(a, "type") == "folder");
    }
  }
  if (record.contains("data") && record["data"].is_array()) {
    for (const Json& d : record["data"]) {
      if (!d.is_object()) continue;
      const std::string source = Text(d, "source");
      if (d.contains("oid"))
        Add(&out, d["oid"], source.empty() ? Text(d, "role") : source, Text(d, "format") == "folder");
      if (d.contains("snapshot") && d["snapshot"].is_object() && d["snapshot"].contains("oid")) {
        Add(&out, d["snapshot"]["oid"], Text(d, "role") + ".snapshot." + Text(d, "format"), false);
      }
    }
  }
  if (record.contains("metrics") && record["metrics"].is_object() && record["metrics"].contains("series") &&
      record["metrics"]["series"].is_object()) {
    for (const auto& [name, where] : record["metrics"]["series"].items()) {
      if (where.is_object() && where.contains("oid")) Add(&out, where["oid"], name + ".tsv", false);
    }
  }
  return out;
}

}  // namespace trail::server
