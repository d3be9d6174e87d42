#include "context/package_scan.h"

#include <algorithm>
#include <map>
#include <set>

#include "context/dist_info.h"
#include "context/stdlib_modules.h"

namespace trail::context {
namespace {

// Import names whose distribution is named otherwise, with the usual
// distribution first. Only a guess to save reading every distribution's
// file list: a name whose candidates are not installed falls through to
// the full index.
struct KnownName {
  const char* import_name;
  std::vector<const char*> dists;  // normalized
};
const std::vector<KnownName>& KnownNames() {
  static const std::vector<KnownName> kNames = {
      {"sklearn", {"scikit-learn"}},
      {"skimage", {"scikit-image"}},
      {"cv2", {"opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"}},
      {"PIL", {"pillow"}},
      {"yaml", {"pyyaml"}},
      {"tensorflow",
       {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel", "tensorflow-macos", "tf-nightly"}},
      {"bs4", {"beautifulsoup4"}},
      {"dateutil", {"python-dateutil"}},
      {"dotenv", {"python-dotenv"}},
      {"attr", {"attrs"}},
      {"jwt", {"pyjwt"}},
      {"mpl_toolkits", {"matplotlib"}},
      {"pkg_resources", {"setuptools"}},
      {"Crypto", {"pycryptodome"}},
      {"OpenSSL", {"pyopenssl"}},
      {"serial", {"pyserial"}},
      {"fitz", {"pymupdf"}},
  };
  return kNames;
}

std::vector<std::string> Candidates(const std::string& import_name) {
  for (const KnownName& k : KnownNames()) {
    if (import_name == k.import_name) return {k.dists.begin(), k.dists.end()};
  }
  return {NormalizeDistName(import_name)};
}

}  // namespace

Json ScanPackages(const ProgramSources& sources, const PythonEnv& python, std::vector<std::string>* warnings) {
  std::set<std::string> stdlib_folder = StdlibFolderModules(python.stdlib);
  std::vector<std::string> wanted;
  for (const std::string& name : sources.imports) {
    if (IsStdlibModule(name) || stdlib_folder.count(name)) continue;
    wanted.push_back(name);
  }

  // First guess: distributions named like the imports; a listing per folder.
  std::set<std::string> guesses;
  for (const std::string& name : wanted) {
    for (const std::string& c : Candidates(name)) guesses.insert(c);
  }
  std::map<std::string, const Distribution*> by_normalized;
  std::vector<Distribution> guessed;
  if (!guesses.empty()) guessed = ScanDistributions(python.site_packages, guesses, warnings);
  for (const Distribution& d : guessed) by_normalized.emplace(NormalizeDistName(d.name), &d);

  std::map<std::string, std::pair<std::string, std::string>> found;  // normalized → {name, version}
  std::vector<std::string> left;
  for (const std::string& name : wanted) {
    const Distribution* hit = nullptr;
    for (const std::string& c : Candidates(name)) {
      if (auto it = by_normalized.find(c); it != by_normalized.end()) {
        hit = it->second;
        break;
      }
    }
    if (hit) {
      found.emplace(NormalizeDistName(hit->name), std::make_pair(hit->name, hit->version));
    } else {
      left.push_back(name);
    }
  }

  // The rest through every distribution's import names.
  std::vector<std::string> unresolved;
  if (!left.empty()) {
    // Every distribution is opened here; broken metadata of one unrelated
    // to the program is not this run's news, so its warnings are dropped
    // (an import it might have provided is listed as unresolved).
    std::vector<std::string> ignored;
    std::vector<Distribution> all = ScanDistributions(python.site_packages, {}, &ignored);
    std::map<std::string, std::string> index = ImportIndex(all);
    std::map<std::string, const Distribution*> by_name;
    for (const Distribution& d : all) by_name.emplace(d.name, &d);
    for (const std::string& name : left) {
      auto it = index.find(name);
      if (it == index.end()) {
        unresolved.push_back(name);
        continue;
      }
      const Distribution* d = by_name.at(it->second);
      found.emplace(NormalizeDistName(d->name), std::make_pair(d->name, d->version));
    }
  }

  std::sort(unresolved.begin(), unresolved.end());
  Json out = Json::object();
  for (const auto& [key, dist] : found) out[dist.first] = dist.second;
  if (!unresolved.empty()) out["unresolved"] = unresolved;
  return out;
}

}  // namespace trail::context
