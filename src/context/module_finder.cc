#include "context/module_finder.h"

#include <sys/stat.h>

#include "base/files.h"
#include "context/text_files.h"

namespace trail::context {

ModuleFinder::Kind ModuleFinder::KindOf(const std::string& path) {
  auto it = kinds_.find(path);
  if (it != kinds_.end()) return it->second;
  struct stat st;
  Kind kind = Kind::kNone;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISREG(st.st_mode)) kind = Kind::kFile;
    if (S_ISDIR(st.st_mode)) kind = Kind::kDir;
  }
  kinds_.emplace(path, kind);
  return kind;
}

ModuleFiles ModuleFinder::Find(const std::string& dir, const std::string& dotted) {
  ModuleFiles out;
  if (dotted.empty()) return out;
  std::string folder = dir;
  for (const std::string& part : SplitString(dotted, '.')) {
    if (part.empty()) break;
    std::string sub = JoinPath(folder, part);
    // A package beats a module of the same name, and both beat a
    // namespace folder.
    if (IsDir(sub) && IsFile(JoinPath(sub, "__init__.py"))) {
      out.found = true;
      out.files.push_back(JoinPath(sub, "__init__.py"));
      folder = sub;
      continue;
    }
    if (IsFile(sub + ".py")) {
      out.found = true;
      out.files.push_back(sub + ".py");
      break;  // what follows names attributes of the module
    }
    if (IsDir(sub)) {
      folder = sub;
      continue;
    }
    break;  // not here: an attribute of the package so far, or not ours at all
  }
  return out;
}

}  // namespace trail::context
