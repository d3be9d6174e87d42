#include "context/pyenv.h"

#include <algorithm>
#include <vector>

#include "base/files.h"
#include "context/text_files.h"

namespace trail::context {
namespace {

const std::string* Get(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

// Version names in a .python-version or version file: words, '#' comments.
std::vector<std::string> VersionNames(const std::string& text) {
  std::vector<std::string> out;
  ForEachLine(text, [&](std::string_view line) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') return;
    for (std::string& w : SplitWhitespace(line)) out.push_back(std::move(w));
  });
  return out;
}

std::vector<std::string> SelectedVersions(const std::string& root, const std::string& cwd,
                                          const std::map<std::string, std::string>& env) {
  if (const std::string* v = Get(env, "PYENV_VERSION"); v && !v->empty()) return SplitString(*v, ':');
  const std::string* start = Get(env, "PYENV_DIR");
  std::string dir = start && !start->empty() ? *start : cwd;
  for (;;) {
    if (auto text = ReadHead(JoinPath(dir, ".python-version"), 65536)) {
      auto names = VersionNames(*text);
      if (!names.empty()) return names;
    }
    if (dir == "/" || dir.empty() || dir == ".") break;
    dir = DirName(dir);
  }
  if (auto text = ReadHead(JoinPath(root, "version"), 65536)) {
    auto names = VersionNames(*text);
    if (!names.empty()) return names;
  }
  return {"system"};
}

// Numeric-aware "is a older than b" for version folder names (3.9.18 < 3.11.7).
bool OlderVersion(const std::string& a, const std::string& b) {
  auto pa = SplitString(a, '.'), pb = SplitString(b, '.');
  for (size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
    auto na = ParseUnsigned(pa[i]), nb = ParseUnsigned(pb[i]);
    if (na && nb && *na != *nb) return *na < *nb;
    if (!(na && nb) && pa[i] != pb[i]) return pa[i] < pb[i];
  }
  return pa.size() < pb.size();
}

std::optional<std::string> InstalledVersion(const std::string& root, const std::string& name,
                                            const std::string& program) {
  std::string versions = JoinPath(root, "versions");
  std::string exact = JoinPath(JoinPath(JoinPath(versions, name), "bin"), program);
  if (IsExecutableFile(exact)) return exact;
  std::string best;
  for (const std::string& v : ListDirectory(versions)) {
    if (v.compare(0, name.size() + 1, name + ".") != 0) continue;
    if (!IsExecutableFile(JoinPath(JoinPath(JoinPath(versions, v), "bin"), program))) continue;
    if (best.empty() || OlderVersion(best, v)) best = v;
  }
  if (best.empty()) return std::nullopt;
  return JoinPath(JoinPath(JoinPath(versions, best), "bin"), program);
}

std::optional<std::string> SystemProgram(const std::string& root, const std::string& program,
                                         const std::map<std::string, std::string>& env) {
  const std::string* path = Get(env, "PATH");
  if (!path) return std::nullopt;
  auto shims_real = RealPath(JoinPath(root, "shims"));
  for (const std::string& dir : SplitString(*path, ':')) {
    if (dir.empty()) continue;
    auto real = RealPath(dir);
    if (real && shims_real && *real == *shims_real) continue;
    if (real && (*real == root || real->compare(0, root.size() + 1, root + "/") == 0)) continue;  // pyenv's own
    std::string candidate = JoinPath(dir, program);
    if (IsExecutableFile(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace

bool IsPyenvShim(const std::string& path) {
  if (BaseName(DirName(path)) != "shims") return false;
  auto head = ReadHead(path, 1024);
  return head && head->compare(0, 2, "#!") == 0 && head->find("pyenv") != std::string::npos;
}

std::optional<std::string> ResolvePyenvShim(const std::string& shim, const std::string& cwd,
                                            const std::map<std::string, std::string>& env) {
  std::string program = BaseName(shim);
  const std::string* root_var = Get(env, "PYENV_ROOT");
  std::string root = root_var && !root_var->empty() ? *root_var : DirName(DirName(shim));
  for (const std::string& name : SelectedVersions(root, cwd, env)) {
    if (name.empty()) continue;
    auto found = name == "system" ? SystemProgram(root, program, env) : InstalledVersion(root, name, program);
    if (found) return found;
  }
  return std::nullopt;
}

}  // namespace trail::context
