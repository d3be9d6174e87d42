// Which top-level import names belong to Python's standard library, so that
// a program's package list names only what was installed.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace trail::context {

// True for a standard-library module of any CPython 3.x (the union of
// sys.stdlib_module_names over 3.10-3.14, the modules removed before
// 3.10) and the Python 2 names programs import in fallbacks (cPickle,
// urllib2, ...). Built in, for when the interpreter's files are unknown.
bool IsStdlibModule(std::string_view top_level);

// The modules an interpreter's own library folder holds (<prefix>/lib/python3.X:
// foo.py, packages, lib-dynload extensions); site-packages excluded. Empty
// for an empty or unreadable folder.
std::set<std::string> StdlibFolderModules(const std::string& stdlib_dir);

}  // namespace trail::context
