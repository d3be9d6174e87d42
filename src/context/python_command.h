// Does a command run Python, and with which interpreter? Answered from the
// command line and the files it names, without running anything.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "context/context.h"

namespace trail::context {

struct PythonCommand {
  // The interpreter the command execs, as exec finds it: absolute, through
  // PATH, symlinks kept (a venv's bin/python must stay a venv path). A pyenv
  // shim is replaced by the interpreter it would exec.
  std::string interpreter;
  // The environment and folder the interpreter starts with, after any
  // env(1) edits on the command line (env -i, NAME=VALUE, -u, -C).
  std::map<std::string, std::string> env;
  std::string cwd;
  // The interpreter's arguments: its options, then the script, `-m module`
  // or `-c code`, then the program's own. For a script started through its
  // shebang line, the script's path (and the line's argument) come first,
  // as the kernel passes them.
  std::vector<std::string> args;
  // Interpreter options that change sys.path: -E (ignore PYTHON* variables),
  // -s (no user site), -I (both), -S (no site-packages at all).
  bool ignore_environment = false;
  bool no_user_site = false;
  bool no_site = false;
};

// The Python interpreter `argv` runs, or nullopt when it runs something else.
// Recognized: an interpreter named python, python3, python3.11 (also 3.13t,
// 3.6m), by name (through PATH) or path, whatever follows it (-m pkg, -c,
// script); `env [options] [NAME=VALUE]... python3 ...` including `env -S
// "python3 -u"`; a script whose first line is a Python shebang, directly or
// through env (`#!/usr/bin/env python3`, `#!/usr/bin/env -S python3 -u`,
// `#!/usr/bin/python3.11`) — which also covers console scripts such as
// torchrun or accelerate installed by pip. Launchers like `uv run` or
// `poetry run` are not followed.
std::optional<PythonCommand> FindPythonCommand(const std::vector<std::string>& argv, const std::string& cwd,
                                               const ContextEnv& env);

// True for python, python3, python3.11, python3.13t, python3.6m.
bool IsPythonName(const std::string& name);

}  // namespace trail::context
