#include "base/safe_path.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "base/files.h"

namespace trail {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// Calls fn(prefix, is_last) for "a", "a/b", "a/b/c" of a path already known to be safe.
template <typename Fn>
Status ForEachPrefix(std::string_view rel, Fn fn) {
  if (rel.empty()) return Status::Ok();
  size_t slash = rel.find('/');
  for (;;) {
    const bool last = slash == std::string_view::npos;
    const std::string_view prefix = last ? rel : rel.substr(0, slash);
    bool stop = false;
    TRAIL_RETURN_IF_ERROR(fn(std::string(prefix), last, &stop));
    if (last || stop) return Status::Ok();
    slash = rel.find('/', slash + 1);
  }
}

Status NotThrough(const std::string& path, const char* what) {
  return FailedPrecondition(path + " is " + what + "; trail does not restore through it");
}

}  // namespace

std::string UnsafePathReason(std::string_view path, bool outside_repo_dirs) {
  if (path.empty()) return "is empty";
  if (path.front() == '/') return "is absolute";
  if (path.find('\0') != std::string_view::npos) return "holds a NUL character";
  if (path.find('\\') != std::string_view::npos) return "holds a backslash";
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == ".") return "has an empty or \".\" part";
    if (part == "..") return "climbs out with \"..\"";
    if (outside_repo_dirs && (EqualsIgnoringCase(part, ".git") || EqualsIgnoringCase(part, ".trail")))
      return "names a " + std::string(part) + " folder";
    start = slash + 1;
  }
  return "";
}

Status CheckRelativePath(std::string_view path, std::string_view what, bool outside_repo_dirs) {
  const std::string why = UnsafePathReason(path, outside_repo_dirs);
  if (why.empty()) return Status::Ok();
  // The path is untrusted: keep the message on one line whatever it holds.
  std::string shown;
  for (char c : path) shown += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  return InvalidArgument(std::string(what) + " \"" + shown + "\" " + why + "; refusing to use it as a path");
}

Status CheckPathName(std::string_view name, std::string_view what) {
  if (name.find('/') != std::string_view::npos)
    return InvalidArgument(std::string(what) + " \"" + std::string(name) +
                           "\" holds a '/'; refusing to use it in a file name");
  return CheckRelativePath(name, what);
}

Status CheckNoLinkBelow(const std::string& root, std::string_view rel, std::set<std::string>* checked) {
  return ForEachPrefix(rel, [&](const std::string& prefix, bool last, bool* stop) -> Status {
    if (!last && checked && checked->count(prefix)) return Status::Ok();
    const std::string path = JoinPath(root, prefix);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) {
        *stop = true;
        return Status::Ok();
      }
      return IoError("cannot stat " + path + ": " + std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) return NotThrough(path, "a symbolic link");
    if (!S_ISDIR(st.st_mode)) {
      *stop = true;  // a file where a folder goes: whoever restores replaces it or says so
      return Status::Ok();
    }
    if (!last && checked) checked->insert(prefix);
    return Status::Ok();
  });
}

Status MakeDirsBelow(const std::string& root, std::string_view rel, std::set<std::string>* checked) {
  return ForEachPrefix(rel, [&](const std::string& prefix, bool, bool*) -> Status {
    if (checked && checked->count(prefix)) return Status::Ok();
    const std::string path = JoinPath(root, prefix);
    if (::mkdir(path.c_str(), 0777) != 0 && errno != EEXIST)
      return IoError("cannot create directory " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return IoError("cannot stat " + path + ": " + std::strerror(errno));
    if (S_ISLNK(st.st_mode)) return NotThrough(path, "a symbolic link");
    if (!S_ISDIR(st.st_mode)) return NotThrough(path, "not a folder");
    if (checked) checked->insert(prefix);
    return Status::Ok();
  });
}

}  // namespace trail
