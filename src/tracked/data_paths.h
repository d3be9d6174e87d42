// What `trail add`, `--artifact` and the configured artifact folders accept as a path
// (docs/data.md, "What can be added"): inside the work tree, reached without symbolic links,
// and named in UTF-8.
#pragma once

#include <string>

#include "project/project.h"
#include "trail/status.h"

namespace trail {

// `abs` (absolute) relative to the root, '/'-separated, no trailing '/'. InvalidArgument naming
// it for the repository itself ("." included) and for a path outside it.
StatusOr<std::string> RelativeToRoot(const Project& project, const std::string& abs);

// InvalidArgument naming the first symbolic link met on the way from `root` to `rel`, `rel`
// itself included: a link could lead anywhere (a secret, the store), and what a link means
// cannot be restored from stored content. Ok when the path does not exist (yet).
Status RefuseLinks(const std::string& root, const std::string& rel);

// InvalidArgument naming `rel` (escaped) when it is not valid UTF-8: records, tree manifests
// and .gitignore lines are UTF-8 text, and a name replaced on the way would restore elsewhere.
Status CheckUtf8Name(const std::string& rel);

}  // namespace trail
