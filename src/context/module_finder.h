// Where `import a.b.c` lands below one folder of sys.path, decided from the
// file system alone, the way CPython's path-based finder decides it.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace trail::context {

struct ModuleFiles {
  // True when the name is a module of this folder: its first component is
  // a package (a folder with __init__.py) or a .py file, or a chain of
  // namespace folders (no __init__.py) leads to one. A bare namespace
  // folder does not count: Python prefers a regular package of that name
  // anywhere on sys.path, such as an installed one.
  bool found = false;
  // The source files the import executes, outermost first: each package's
  // __init__.py, then the module. Components after a module file are
  // attributes of it, not files.
  std::vector<std::string> files;
};

// Resolves dotted names below folders, caching what it learns from the file
// system: a program imports the same names from many files.
class ModuleFinder {
 public:
  ModuleFiles Find(const std::string& dir, const std::string& dotted);

  bool IsFile(const std::string& path) { return KindOf(path) == Kind::kFile; }
  bool IsDir(const std::string& path) { return KindOf(path) == Kind::kDir; }

 private:
  enum class Kind { kNone, kFile, kDir };
  Kind KindOf(const std::string& path);

  std::unordered_map<std::string, Kind> kinds_;
};

}  // namespace trail::context
