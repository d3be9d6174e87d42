// Paths that arrive from elsewhere: recorded artifact paths, pointer files, tree manifests in the
// store, sweep records. They come from other people's clones through `trail pull`, so each one is
// checked before it is joined to a folder, and restores walk below their root without following
// symbolic links they did not create (a committed `ds/sub -> /elsewhere` must not redirect a write).
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "trail/status.h"

namespace trail {

// Why `path` is not safe to join under a folder, or "" when it is: it must be relative,
// non-empty, '/'-separated, with no empty, "." or ".." part, and no NUL or backslash (a
// separator elsewhere). With `outside_repo_dirs`, a ".git" or ".trail" part (any case) is refused
// too: a restore into the work tree must not plant hooks or config there.
std::string UnsafePathReason(std::string_view path, bool outside_repo_dirs = false);
inline bool IsSafeRelativePath(std::string_view path) { return UnsafePathReason(path).empty(); }

// InvalidArgument `<what> "<path>" <reason>` for an unsafe path; Ok otherwise.
Status CheckRelativePath(std::string_view path, std::string_view what, bool outside_repo_dirs = false);
// The same for a name that becomes one part of a file name (a role, an id): no '/' either.
Status CheckPathName(std::string_view name, std::string_view what);

// FailedPrecondition naming the first part of `root`/`rel` below `root` that is a symbolic link.
// A part that does not exist, or is not a folder, ends the check (nothing below it can be
// reached through a link). `checked` (optional) remembers folders already seen, for many paths under one root.
Status CheckNoLinkBelow(const std::string& root, std::string_view rel, std::set<std::string>* checked = nullptr);

// Creates the folders of `rel` below `root` (root itself must exist), one at a time, refusing a
// part that is a symbolic link or not a folder.
Status MakeDirsBelow(const std::string& root, std::string_view rel, std::set<std::string>* checked = nullptr);

}  // namespace trail
