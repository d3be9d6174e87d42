// pyenv shims: a `python3` on PATH that is a bash script choosing a version.
// trail reads the choice the way pyenv makes it instead of running the shim
// (which costs ~130 ms of bash).
#pragma once

#include <map>
#include <optional>
#include <string>

namespace trail::context {

// True when `path` is a pyenv shim: a script in a folder named "shims"
// that mentions pyenv in its first lines.
bool IsPyenvShim(const std::string& path);

// The interpreter a pyenv shim `shim` (named e.g. python3) would exec for a
// command started in `cwd` with environment `env`: the version from
// PYENV_VERSION, else the nearest .python-version from PYENV_DIR or cwd
// upward, else $PYENV_ROOT/version, else "system" (the next match on PATH
// after the shims). A version prefix such as "3.11" picks the newest
// installed 3.11.x, as pyenv does. nullopt when the choice names no
// installed interpreter.
std::optional<std::string> ResolvePyenvShim(const std::string& shim, const std::string& cwd,
                                            const std::map<std::string, std::string>& env);

}  // namespace trail::context
