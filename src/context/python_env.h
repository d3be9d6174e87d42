// The Python a command runs: the interpreter's real path, its exact version
// and the site-packages folders it imports from, read from the interpreter's
// files rather than by running it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "context/context.h"
#include "context/python_command.h"
#include "context/python_probe.h"

namespace trail::context {

struct PythonEnv {
  std::string interpreter;     // realpath of the binary that runs
  std::string version;         // "3.11.2"; empty when unknown
  std::string version_source;  // "patchlevel.h", "conda-meta", "dpkg", "pyvenv.cfg" or "probe"
  std::string venv;            // the virtual environment's folder; empty outside one
  // Folders with installed distributions, in sys.path order (PYTHONPATH,
  // user site, venv, system); only those that exist, each once.
  std::vector<std::string> site_packages;
  // The standard library's folder, <base prefix>/lib/python3.X, when it
  // exists; not part of PythonJson.
  std::string stdlib;
};

// Asks the interpreter itself; ProbePython with a 2 s limit by default.
using VersionProbe = std::function<std::optional<ProbeResult>(
    const std::string& interpreter, const std::map<std::string, std::string>& env, std::string* error)>;
std::optional<ProbeResult> DefaultVersionProbe(const std::string& interpreter,
                                               const std::map<std::string, std::string>& env, std::string* error);

// Reads what `cmd` will run. The exact version comes from, in order:
//  1. <prefix>/include/python3.X/patchlevel.h PY_VERSION (CPython installs it
//     with its headers: python.org, pyenv, conda, Debian's libpython3.X-dev);
//  2. <prefix>/conda-meta/python-3.X.Y-*.json (conda, headers or not);
//  3. dpkg's status entry for python3.X-minimal, for a Debian/Ubuntu
//     <root>/usr/bin/python3.X without headers;
//  4. the venv's pyvenv.cfg `version` / `version_info` (can lag an upgraded
//     base interpreter, so it comes after the base's own files);
//  5. running the interpreter (`probe`), ~10 ms.
// A wrapper script that is not a pyenv shim (e.g. a site's own launcher) is
// always probed: its sys.executable names the real interpreter.
// Files of env.root apply only to dpkg's status; interpreter paths are real.
PythonEnv InspectPython(const PythonCommand& cmd, const ContextEnv& env, std::vector<std::string>* warnings,
                        const VersionProbe& probe = DefaultVersionProbe);

// {interpreter, version, venv (only in one), site_packages}.
Json PythonJson(const PythonEnv& python);

}  // namespace trail::context
