#include "tracked/data_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/files.h"
#include "base/paths.h"
#include "base/text.h"

namespace trail {

StatusOr<std::string> RelativeToRoot(const Project& project, const std::string& abs) {
  // lexically_normal keeps a trailing '/' ("/repo/." becomes "/repo/"): drop it before comparing.
  std::string norm = std::filesystem::path(abs).lexically_normal().generic_string();
  while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  const std::string& root = project.root();
  std::optional<std::string> below = PathBelow(norm, root);
  if (below && below->empty())
    return InvalidArgument(EscapeForMessage(abs) + " is the repository itself; name files or folders inside it");
  if (!below) return InvalidArgument(EscapeForMessage(abs) + " is outside the repository " + root);
  return *below;
}

Status RefuseLinks(const std::string& root, const std::string& rel) {
  for (size_t end = rel.find('/');; end = rel.find('/', end + 1)) {
    const std::string part = rel.substr(0, end);
    struct stat st {};
    if (::lstat(JoinPath(root, part).c_str(), &st) != 0) return Status::Ok();  // missing: nothing to follow
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      const ssize_t n = ::readlink(JoinPath(root, part).c_str(), target, sizeof(target) - 1);
      const std::string to = n > 0 ? " -> " + EscapeForMessage(std::string_view(target, static_cast<size_t>(n))) : "";
      return InvalidArgument(EscapeForMessage(part) + " is a symbolic link" + to +
                             "; trail stores files and folders, not links (name what it points to)");
    }
    if (end == std::string::npos) return Status::Ok();
  }
}

Status CheckUtf8Name(const std::string& rel) {
  if (IsValidUtf8(rel)) return Status::Ok();
  return InvalidArgument(EscapeForMessage(rel) +
                         ": the name is not valid UTF-8; rename it (trail records names as UTF-8 text)");
}

}  // namespace trail
