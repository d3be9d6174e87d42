// The source files of a Python program: its entry and the project's own
// modules it imports, transitively, each read and tokenized once so that
// every scan over them (packages, functions) shares the work.
#pragma once

#include <string>
#include <vector>

#include "context/context.h"
#include "context/py_imports.h"
#include "context/py_tokenizer.h"

namespace trail::context {

struct SourceLimits {
  size_t max_files = 2000;          // files past this many are not read
  size_t max_file_bytes = 1 << 20;  // a larger file is skipped (generated code, data in .py)
};

struct SourceFile {
  std::string path;     // real path; empty for `-c` code
  std::string display;  // relative to the repository root ("src/train.py"), absolute outside it, "-c"
  std::string text;
  std::vector<Token> tokens;  // of `text`
  std::vector<ImportStatement> imports;
};

struct ProgramSources {
  std::string repo_root;  // real path
  // The entry first, then own modules in the order first imported.
  std::vector<SourceFile> files;
  // Top-level names of the imports that are not the program's own modules
  // (installed packages and the standard library alike), sorted, each once;
  // `__future__` left out.
  std::vector<std::string> imports;
};

// The nearest folder at or above `cwd` that holds .git (a folder or, in a
// worktree or submodule, a file); `cwd` itself when there is none.
std::string FindRepoRoot(const std::string& cwd);

// The sources of the program `argv` runs in `cwd`; empty (no files) when
// argv does not run Python or runs no file (`python`, `python -`). The
// entry follows FindProgramEntry; own modules are found below its roots,
// with `from . import x` and `from ..pkg import y` resolved against the
// importing file's folder. Fail-soft: a file that cannot be read, is too
// big, or does not tokenize cleanly adds a warning; the last is still
// scanned as far as it goes.
ProgramSources FindProgramSources(const std::vector<std::string>& argv, const std::string& cwd,
                                  const std::string& repo_root, const ContextEnv& env,
                                  std::vector<std::string>* warnings, const SourceLimits& limits = {});

}  // namespace trail::context
