#include "context/program_sources.h"

#include <set>
#include <unordered_set>

#include "base/files.h"
#include "base/paths.h"
#include "context/module_finder.h"
#include "context/program_entry.h"
#include "context/python_command.h"
#include "context/text_files.h"

namespace trail::context {
namespace {

// `path` relative to `root` when it lies below it, else `path` as it is (the root itself too).
std::string Relative(const std::string& path, const std::string& root) {
  std::optional<std::string> below = PathBelow(path, root);
  return below && !below->empty() ? *below : path;
}

// Reads files breadth-first from the entry, following imports of own modules.
class SourceLoader {
 public:
  SourceLoader(ProgramSources* out, const SourceLimits& limits, ModuleFinder* finder,
               std::vector<std::string>* warnings)
      : out_(out), limits_(limits), finder_(finder), warnings_(warnings) {}

  void Run(const ProgramEntry& entry) {
    roots_ = entry.roots;
    if (entry.has_code) {
      SourceFile code;
      code.display = "-c";
      code.text = entry.code;
      Tokenized(&code);
      out_->files.push_back(std::move(code));
    }
    for (const std::string& f : entry.files) Add(f);
    if (!entry.external_module.empty()) imports_.insert(entry.external_module);
    // out_->files grows while it is walked; indices stay valid, references do not.
    for (size_t i = 0; i < out_->files.size(); ++i) {
      std::string dir = out_->files[i].path.empty() ? "" : DirName(out_->files[i].path);
      std::vector<ImportStatement> imports = out_->files[i].imports;
      for (const ImportStatement& s : imports) Follow(s, dir);
    }
    out_->imports.assign(imports_.begin(), imports_.end());
  }

 private:
  // File names and their bytes come from outside: warnings must stay text.
  void Warn(const std::string& text) { warnings_->push_back(SanitizeUtf8(text)); }

  void Tokenized(SourceFile* f) {
    TokenizedSource t = Tokenize(f->text);
    if (!t.error.empty()) {
      Warn("program source " + f->display + ": " + t.error + "; scanned as far as it reads");
    }
    f->tokens = std::move(t.tokens);
    f->imports = FindImports(f->text, f->tokens);
  }

  void Add(const std::string& path) {
    // Imports name the same files again and again; realpath is a syscall per
    // path component, so each spelling is resolved once.
    if (!given_.insert(path).second) return;
    std::string real = RealPath(path).value_or(path);
    if (!seen_.insert(real).second) return;
    std::string display = Relative(real, out_->repo_root);
    if (out_->files.size() >= limits_.max_files) {
      if (!warned_limit_) {
        Warn("program sources: more than " + std::to_string(limits_.max_files) + " files; " + display +
             " and later ones not scanned");
        warned_limit_ = true;
      }
      return;
    }
    auto text = ReadHead(real, limits_.max_file_bytes + 1);
    if (!text) {
      Warn("program source " + display + ": cannot read: " + ErrnoMessage(errno));
      return;
    }
    if (text->size() > limits_.max_file_bytes) {
      Warn("program source " + display + ": larger than " + std::to_string(limits_.max_file_bytes) +
           " bytes; not scanned");
      return;
    }
    SourceFile f;
    f.path = real;
    f.display = std::move(display);
    f.text = std::move(*text);
    Tokenized(&f);
    out_->files.push_back(std::move(f));
  }

  // Adds the files of `dotted` below `dir`; true when it is a module there.
  bool AddModule(const std::string& dir, const std::string& dotted) {
    ModuleFiles m = finder_->Find(dir, dotted);
    for (const std::string& f : m.files) Add(f);
    return m.found;
  }

  void Follow(const ImportStatement& s, const std::string& file_dir) {
    if (s.level > 0) {
      if (file_dir.empty()) return;  // -c code has no package
      std::string base = file_dir;
      for (int up = 1; up < s.level; ++up) base = DirName(base);
      if (!s.module.empty()) AddModule(base, s.module);
      for (const ImportedName& n : s.names) {
        if (n.name == "*") continue;
        std::string sub = s.module.empty() ? n.name : s.module + "." + n.name;
        // `from . import x` names a submodule or something the package's
        // __init__.py defines.
        if (!AddModule(base, sub) && s.module.empty() && finder_->IsFile(JoinPath(base, "__init__.py"))) {
          Add(JoinPath(base, "__init__.py"));
        }
      }
      return;
    }
    std::string top = s.TopLevel();
    if (top.empty() || top == "__future__") return;
    for (const std::string& root : roots_) {
      bool own = AddModule(root, s.module);
      for (const ImportedName& n : s.names) {
        if (n.name != "*") own = AddModule(root, s.module + "." + n.name) || own;
      }
      if (own) return;
    }
    imports_.insert(top);
  }

  ProgramSources* out_;
  SourceLimits limits_;
  ModuleFinder* finder_;
  std::vector<std::string>* warnings_;
  std::vector<std::string> roots_;
  std::unordered_set<std::string> given_;  // paths as Add got them
  std::unordered_set<std::string> seen_;   // real paths read
  std::set<std::string> imports_;
  bool warned_limit_ = false;
};

}  // namespace

std::string FindRepoRoot(const std::string& cwd) {
  std::string start = RealPath(cwd).value_or(cwd);
  for (std::string dir = start;; dir = DirName(dir)) {
    if (PathExists(JoinPath(dir, ".git"))) return dir;
    if (dir == "/" || dir.empty() || DirName(dir) == dir) break;
  }
  return start;
}

ProgramSources FindProgramSources(const std::vector<std::string>& argv, const std::string& cwd,
                                  const std::string& repo_root, const ContextEnv& env,
                                  std::vector<std::string>* warnings, const SourceLimits& limits) {
  ProgramSources out;
  out.repo_root = RealPath(repo_root).value_or(repo_root);
  auto cmd = FindPythonCommand(argv, cwd, env);
  if (!cmd) return out;
  ModuleFinder finder;
  ProgramEntry entry = FindProgramEntry(*cmd, out.repo_root, &finder);
  SourceLoader(&out, limits, &finder, warnings).Run(entry);
  return out;
}

}  // namespace trail::context
