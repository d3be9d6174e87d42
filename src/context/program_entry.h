// Where the program of a Python command starts: the script, the `-m`
// module or the `-c` code, and the folders its absolute imports are looked
// up in.
#pragma once

#include <string>
#include <vector>

#include "context/module_finder.h"
#include "context/python_command.h"

namespace trail::context {

struct ProgramEntry {
  // The files Python runs first: the script (a folder's __main__.py), or for
  // `-m pkg.mod` pkg/__init__.py then pkg/mod.py (a package's __main__.py
  // last). Absolute paths; empty for -c, stdin, or a module not the
  // program's own.
  std::vector<std::string> files;
  bool has_code = false;  // `-c`: the program is `code`
  std::string code;
  // Folders the program's own modules are imported from, sys.path order:
  // the script's (real) folder or, for -m and -c, the working folder; the
  // PYTHONPATH entries that lie inside the repository; the repository root
  // (projects are commonly run with it on the path or installed editable).
  std::vector<std::string> roots;
  // `-m name` naming a module that is not the program's own (`-m pytest`):
  // that name, an import of the program as far as packages go.
  std::string external_module;
};

// The entry of `cmd`. A script that is a launcher rather than the program
// (torchrun, accelerate, deepspeed: it lies outside `repo_root` or in the
// interpreter's own bin folder), and `-m` of a module outside the project
// (`-m torch.distributed.run`), hand over to the first later argument that
// names an existing *.py file, which is what such launchers run.
// `repo_root` must be a real path.
ProgramEntry FindProgramEntry(const PythonCommand& cmd, const std::string& repo_root, ModuleFinder* finder);

}  // namespace trail::context
