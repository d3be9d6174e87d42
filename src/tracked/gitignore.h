// The .gitignore lines `trail add` writes beside tracked data (docs/data.md, "Ignore rules").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "trail/status.h"

namespace trail {

// The line that makes Git ignore exactly the file or folder `name` (one path component) in the
// .gitignore's own folder: "/" + name, with gitignore's special characters escaped (`\`, `*`,
// `?`, `[`, trailing spaces), so `d[1].bin` ignores itself and not `d1.bin`. InvalidArgument
// naming it for a name no line can express (a newline or carriage return in it).
StatusOr<std::string> IgnoreLineFor(std::string_view name);

// Adds each of `lines` that the .gitignore at `path` lacks (creating it), keeping what is there.
Status AddIgnoreLines(const std::string& path, const std::vector<std::string>& lines, Env& env = *Env::Default());

}  // namespace trail
