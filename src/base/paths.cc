#include "base/paths.h"

namespace trail {
namespace {

std::string_view WithoutTrailingSlashes(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (!b.empty() && b[0] == '/') return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

std::string DirName(std::string_view path) {
  path = WithoutTrailingSlashes(path);
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string BaseName(std::string_view path) {
  path = WithoutTrailingSlashes(path);
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string ParentOf(std::string_view rel) {
  const size_t slash = rel.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(rel.substr(0, slash));
}

bool IsInside(std::string_view path, std::string_view root) {
  if (root.empty()) return false;
  if (root == "/") return !path.empty() && path[0] == '/';
  return path == root || (path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/');
}

std::optional<std::string> PathBelow(std::string_view path, std::string_view root) {
  if (!IsInside(path, root)) return std::nullopt;
  if (path == root) return "";
  if (root == "/") return std::string(path.substr(1));
  return std::string(path.substr(root.size() + 1));
}

bool IsBelow(std::string_view path, std::string_view root) { return path != root && IsInside(path, root); }

}  // namespace trail
