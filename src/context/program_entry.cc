#include "context/program_entry.h"

#include <algorithm>

#include "base/files.h"
#include "base/paths.h"
#include "context/text_files.h"

namespace trail::context {
namespace {

struct InterpreterArgs {
  enum class Kind { kNone, kScript, kModule, kCode } kind = Kind::kNone;
  std::string value;  // the script, module or code
  size_t rest = 0;    // index of the program's first own argument
};

// Reads the interpreter's options up to what it runs (`python [options]
// (script | -m mod | -c code | -) args`).
InterpreterArgs ParseInterpreterArgs(const std::vector<std::string>& args) {
  InterpreterArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--" || a.size() < 2 || a[0] != '-') {
      if (a == "--") ++i;
      if (i >= args.size() || args[i] == "-") return out;
      out.kind = InterpreterArgs::Kind::kScript;
      out.value = args[i];
      out.rest = i + 1;
      return out;
    }
    if (a[1] == '-') {
      if (a == "--check-hash-based-pycs") ++i;  // the only long option with a value
      continue;
    }
    for (size_t j = 1; j < a.size(); ++j) {
      char c = a[j];
      if (c == 'c' || c == 'm') {  // the rest of the word or the next one: -mpkg, -um pkg
        out.kind = c == 'c' ? InterpreterArgs::Kind::kCode : InterpreterArgs::Kind::kModule;
        if (j + 1 < a.size()) {
          out.value = a.substr(j + 1);
        } else if (i + 1 < args.size()) {
          out.value = args[++i];
        }
        out.rest = i + 1;
        return out;
      }
      if (c == 'W' || c == 'X') {
        if (j + 1 == a.size()) ++i;
        break;
      }
    }
  }
  return out;
}

std::string Absolute(const std::string& path, const std::string& cwd) {
  return path.empty() || path[0] == '/' ? path : JoinPath(cwd, path);
}

// realpath when the file exists; else the real folder joined with the name,
// so a missing script still reads as inside or outside the repository.
std::string Real(const std::string& path) {
  if (auto r = RealPath(path)) return *r;
  if (auto d = RealPath(DirName(path))) return JoinPath(*d, BaseName(path));
  return path;
}

}  // namespace

ProgramEntry FindProgramEntry(const PythonCommand& cmd, const std::string& repo_root, ModuleFinder* finder) {
  ProgramEntry entry;
  InterpreterArgs parsed = ParseInterpreterArgs(cmd.args);
  std::string cwd = Real(cmd.cwd);

  std::vector<std::string> path_roots;
  if (!cmd.ignore_environment) {
    if (auto it = cmd.env.find("PYTHONPATH"); it != cmd.env.end()) {
      for (const std::string& p : SplitString(it->second, ':')) {
        std::string real = Real(Absolute(p.empty() ? "." : p, cwd));
        if (IsInside(real, repo_root)) path_roots.push_back(real);
      }
    }
  }
  auto set_roots = [&](const std::string& first) {
    std::vector<std::string> all = {first};
    all.insert(all.end(), path_roots.begin(), path_roots.end());
    all.push_back(repo_root);
    entry.roots.clear();
    for (const std::string& dir : all) {
      if (!dir.empty() && std::find(entry.roots.begin(), entry.roots.end(), dir) == entry.roots.end()) {
        entry.roots.push_back(dir);
      }
    }
  };
  // The script a launcher runs: the first later argument naming a .py file.
  auto launched_script = [&]() -> std::string {
    for (size_t k = parsed.rest; k < cmd.args.size(); ++k) {
      const std::string& a = cmd.args[k];
      if (a.size() > 3 && a.compare(a.size() - 3, 3, ".py") == 0) {
        std::string path = Absolute(a, cmd.cwd);
        if (IsRegularFile(path)) return Real(path);
      }
    }
    return "";
  };

  switch (parsed.kind) {
    case InterpreterArgs::Kind::kNone:
      break;
    case InterpreterArgs::Kind::kCode:
      entry.has_code = true;
      entry.code = parsed.value;
      set_roots(cwd);
      break;
    case InterpreterArgs::Kind::kScript: {
      std::string given = Absolute(parsed.value, cmd.cwd);
      std::string script = Real(given);
      if (IsDirectory(script)) {  // a folder (or zip, not read) with __main__.py
        entry.files.push_back(JoinPath(script, "__main__.py"));
        set_roots(script);
        break;
      }
      std::string interpreter_dir = DirName(Real(cmd.interpreter));
      bool launcher = !IsInside(script, repo_root) || DirName(script) == interpreter_dir ||
                      DirName(given) == DirName(cmd.interpreter);
      if (launcher) {
        if (std::string target = launched_script(); !target.empty()) script = target;
      }
      entry.files.push_back(script);
      set_roots(DirName(script));
      break;
    }
    case InterpreterArgs::Kind::kModule: {
      set_roots(cwd);
      for (const std::string& root : entry.roots) {
        ModuleFiles m = finder->Find(root, parsed.value);
        if (!m.found) continue;
        entry.files = m.files;
        size_t parts = SplitString(parsed.value, '.').size();
        if (m.files.size() == parts && BaseName(m.files.back()) == "__init__.py") {
          entry.files.push_back(JoinPath(DirName(m.files.back()), "__main__.py"));
        }
        break;
      }
      if (entry.files.empty()) {
        entry.external_module = parsed.value.substr(0, parsed.value.find('.'));
        if (std::string target = launched_script(); !target.empty()) {
          entry.files.push_back(target);
          set_roots(DirName(target));
        }
      }
      break;
    }
  }
  return entry;
}

}  // namespace trail::context
