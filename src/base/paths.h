// Path text: joining, splitting and relating '/'-separated paths. Pure string work: nothing here
// touches the file system or resolves links (a link would be named by where it points, not by
// where it is), so "a/../b" stays as it is.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace trail {

// `a`/`b`: `b` alone when `a` is empty or `b` is absolute; one '/' between them unless `a` ends
// with one.
std::string JoinPath(const std::string& a, const std::string& b);

// The folder that holds `path`, as POSIX dirname(3) says: trailing '/'s are ignored, "." for a
// name without a '/' ("a", "", "a/"), "/" for a path right under the root ("/a", "/").
std::string DirName(std::string_view path);

// The last component of `path`: trailing '/'s are ignored ("a/b/" is "b", "a" is "a"); "" for
// "" and for "/" (unlike basename(3), which says "/").
std::string BaseName(std::string_view path);

// The parent of a relative path inside a tree: "" for a top-level name ("a"), "a" for "a/b".
// Unlike DirName, the top of the tree is "", not ".", so the result can be joined or compared
// as a tree path.
std::string ParentOf(std::string_view rel);

// True when `path` is `root` or lies below it ("/r/x" is inside "/r", "/rx" is not). An empty
// root holds nothing; "/" holds every absolute path. Text only: both must be normalised alike.
bool IsInside(std::string_view path, std::string_view root);

// True when `path` lies strictly below `root` ("/r/x" is below "/r"; "/r" and "/rx" are not).
bool IsBelow(std::string_view path, std::string_view root);

// `path` relative to `root`: "" for the root itself, "x/y" for "<root>/x/y", nullopt when `path`
// is not inside `root` (IsInside).
std::optional<std::string> PathBelow(std::string_view path, std::string_view root);

}  // namespace trail
