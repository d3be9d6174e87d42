// The last resort for a Python version: ask the interpreter itself.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace trail::context {

struct ProbeResult {
  std::string version;     // "3.11.2", sys.version's first word
  std::string executable;  // sys.executable
};

// Runs `interpreter -S -c "import sys; print(...)"` in `env` and waits at most
// `timeout_ms` (the child is killed after that). ~10 ms for a real CPython,
// ~130 ms through a pyenv shim. nullopt with *error set when it cannot start,
// fails, times out or prints something else.
std::optional<ProbeResult> ProbePython(const std::string& interpreter, const std::map<std::string, std::string>& env,
                                       int timeout_ms, std::string* error);

}  // namespace trail::context
