#include "record/registry_layout.h"

#include <vector>

#include "base/random_id.h"

namespace trail::record {
namespace {

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = path.find('/', start);
    parts.push_back(path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

bool IsModelName(std::string_view name) {
  if (name.empty() || name.size() > kMaxModelNameLength || name[0] == '.' || name[0] == '-') return false;
  for (char c : name)
    if (!NameChar(c)) return false;
  return true;
}

Status CheckModelName(std::string_view name, std::string_view what) {
  if (IsModelName(name)) return Status::Ok();
  std::string shown(name.substr(0, kMaxModelNameLength));
  if (name.size() > kMaxModelNameLength) shown += "...";
  return InvalidArgument(std::string(what) + " \"" + shown + "\" is not a valid name: use 1 to " +
                         std::to_string(kMaxModelNameLength) +
                         " letters, digits, '-', '_' or '.', not starting with '.' or '-'");
}

bool IsRegistryUid(std::string_view uid) {
  if (uid.size() != 32) return false;
  for (char c : uid)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string RegistryUid() { return RandomUid(); }

std::string ModelDir(const std::string& name) { return std::string(kModelsDir) + "/" + name; }
std::string VersionsDir(const std::string& name) { return ModelDir(name) + "/" + kVersionsDir; }
std::string VersionPath(const std::string& name, int64_t version) {
  return VersionsDir(name) + "/" + std::to_string(version) + ".yaml";
}
std::string AliasDir(const std::string& name, const std::string& alias) {
  return ModelDir(name) + "/" + kAliasesDir + "/" + alias;
}

std::optional<int64_t> VersionOfFileName(std::string_view file_name) {
  if (!file_name.ends_with(".yaml")) return std::nullopt;
  const std::string_view digits = file_name.substr(0, file_name.size() - 5);
  if (digits.empty() || digits.size() > 10 || digits[0] == '0') return std::nullopt;
  int64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n > kMaxModelVersion) return std::nullopt;
  return n;
}

std::optional<VersionPathParts> ParseVersionPath(std::string_view path) {
  const std::vector<std::string_view> parts = Split(path);
  if (parts.size() != 4 || parts[0] != kModelsDir || parts[2] != kVersionsDir || !IsModelName(parts[1]))
    return std::nullopt;
  auto n = VersionOfFileName(parts[3]);
  if (!n) return std::nullopt;
  return VersionPathParts{std::string(parts[1]), *n};
}

bool IsAliasMovePath(std::string_view path) {
  const std::vector<std::string_view> parts = Split(path);
  return parts.size() == 5 && parts[0] == kModelsDir && IsModelName(parts[1]) && parts[2] == kAliasesDir &&
         IsModelName(parts[3]) && parts[4].ends_with(".yaml") && IsModelName(parts[4]);
}

}  // namespace trail::record
