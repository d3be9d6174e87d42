#include "context/dist_info.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "base/files.h"
#include "context/text_files.h"

namespace trail::context {
namespace {

// Name and Version lead the header block; a first read this size holds them
// for every real distribution, long descriptions come after.
constexpr size_t kHeaderRead = 8192;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// A folder entry that holds a distribution's metadata.
struct Entry {
  std::string stem;           // "scikit_learn-1.4.2" without the suffix
  std::string metadata_file;  // the RFC 822 header file to read
};

std::optional<Entry> MetadataEntry(const std::string& dir, const std::string& name) {
  std::string path = JoinPath(dir, name);
  if (name.ends_with(".dist-info")) return Entry{name.substr(0, name.size() - 10), JoinPath(path, "METADATA")};
  // A folder with PKG-INFO, or a bare file (older setuptools, Debian); told
  // apart only once the entry is known to be wanted.
  if (name.ends_with(".egg-info")) return Entry{name.substr(0, name.size() - 9), path};
  if (name.ends_with(".egg")) return Entry{name.substr(0, name.size() - 4), JoinPath(path, "EGG-INFO/PKG-INFO")};
  return std::nullopt;
}

// Name and Version from the header block; false when either is missing.
bool ParseHeaders(std::string_view text, std::string* name, std::string* version) {
  bool done = false;
  ForEachLine(text, [&](std::string_view line) {
    if (done) return;
    if (Trim(line).empty()) {
      done = true;  // the body (long description) starts here
      return;
    }
    if (line[0] == ' ' || line[0] == '\t') return;  // continuation of a folded header
    std::string_view k, v;
    if (!SplitKeyValue(line, ':', &k, &v)) return;
    if (name->empty() && EqualsIgnoreCase(k, "Name")) *name = std::string(v);
    if (version->empty() && EqualsIgnoreCase(k, "Version")) *version = std::string(v);
  });
  return !name->empty() && !version->empty();
}

std::optional<Distribution> ReadDistribution(const std::string& dir, const std::string& entry_name, Entry entry,
                                             std::vector<std::string>* warnings) {
  Distribution dist;
  dist.path = JoinPath(dir, entry_name);
  if (entry.metadata_file == dist.path && IsDirectory(dist.path)) entry.metadata_file = JoinPath(dist.path, "PKG-INFO");
  auto text = ReadHead(entry.metadata_file, kHeaderRead);
  if (!text) {
    warnings->push_back("python package " + dist.path + ": cannot read " + BaseName(entry.metadata_file) + ": " +
                        ErrnoMessage(errno) + "; skipped");
    return std::nullopt;
  }
  if (!ParseHeaders(*text, &dist.name, &dist.version) && text->size() == kHeaderRead) {
    dist.name.clear(), dist.version.clear();
    text = ReadHead(entry.metadata_file, 1 << 20);
    if (text) ParseHeaders(*text, &dist.name, &dist.version);
  }
  if (dist.name.empty() || dist.version.empty()) {
    warnings->push_back("python package " + dist.path + ": " + BaseName(entry.metadata_file) +
                        " has no Name or Version header; skipped");
    return std::nullopt;
  }
  return dist;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// The module a RECORD path's first component makes importable, if any:
// a package folder, foo.py, or an extension foo.cpython-311-x86_64-linux-gnu.so.
// Metadata (*.dist-info, *.data), scripts (../../bin), numpy.libs and
// __pycache__ import nothing.
void AddModuleName(std::string_view first, bool is_file, std::vector<std::string>* out) {
  if (first == "__pycache__") return;
  std::string_view module = first;
  if (is_file) {
    if (first.ends_with(".py")) {
      module = first.substr(0, first.size() - 3);
    } else if (first.ends_with(".so") || first.ends_with(".pyd")) {
      module = first.substr(0, first.find('.'));
    } else {
      return;
    }
  }
  if (IsIdentifier(module)) out->emplace_back(module);
}

}  // namespace

std::string NormalizeDistName(std::string_view name) {
  std::string out;
  bool sep = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      sep = true;
      continue;
    }
    if (sep && !out.empty()) out.push_back('-');
    sep = false;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::vector<Distribution> ScanDistributions(const std::vector<std::string>& site_dirs,
                                            const std::set<std::string>& only, std::vector<std::string>* warnings) {
  std::vector<Distribution> out;
  std::set<std::string> found;
  for (const std::string& dir : site_dirs) {
    std::vector<std::string> names = ListDirectory(dir);
    std::sort(names.begin(), names.end());  // a stable pick when a folder holds two versions of one name
    for (const std::string& name : names) {
      auto entry = MetadataEntry(dir, name);
      if (!entry) continue;
      std::string key = NormalizeDistName(entry->stem.substr(0, entry->stem.find('-')));
      if (found.count(key) || (!only.empty() && !only.count(key))) continue;
      auto dist = ReadDistribution(dir, name, *entry, warnings);
      if (!dist) continue;
      std::string real_key = NormalizeDistName(dist->name);
      if (found.count(real_key) || (!only.empty() && !only.count(real_key))) continue;
      found.insert(real_key);
      found.insert(key);
      out.push_back(std::move(*dist));
    }
  }
  return out;
}

std::vector<std::string> ImportNames(const Distribution& dist) {
  std::vector<std::string> out;
  std::string top_level =
      JoinPath(dist.path, IsDirectory(JoinPath(dist.path, "EGG-INFO")) ? "EGG-INFO/top_level.txt" : "top_level.txt");
  if (auto text = ReadHead(top_level, 1 << 20)) {
    ForEachLine(*text, [&](std::string_view line) {
      line = Trim(line);
      if (!line.empty()) out.emplace_back(line);
    });
  } else if (auto record = ReadHead(JoinPath(dist.path, "RECORD"), 64 << 20)) {
    ForEachLine(*record, [&](std::string_view line) {
      std::string_view path = line.substr(0, line.find(','));
      if (!path.empty() && path[0] == '"') path = line.substr(1, line.find('"', 1) - 1);
      size_t slash = path.find('/');
      AddModuleName(path.substr(0, slash), slash == std::string_view::npos, &out);
    });
  }
  if (out.empty()) {
    std::string module = NormalizeDistName(dist.name);
    std::replace(module.begin(), module.end(), '-', '_');
    out.push_back(module);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::map<std::string, std::string> ImportIndex(const std::vector<Distribution>& dists) {
  std::map<std::string, std::string> index;
  for (const Distribution& d : dists) {
    for (const std::string& module : ImportNames(d)) index.emplace(module, d.name);
  }
  return index;
}

namespace {

struct Framework {
  const char* key;
  std::vector<const char*> dists;    // normalized distribution names, preferred first
  std::vector<const char*> imports;  // top-level import names that use it
};

const std::vector<Framework>& Frameworks() {
  static const std::vector<Framework> kFrameworks = {
      {"tensorflow",
       {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel", "tensorflow-macos", "tensorflow-rocm",
        "tf-nightly", "tf-nightly-cpu", "tf-nightly-gpu"},
       {"tensorflow"}},
      {"keras", {"keras", "keras-nightly"}, {"keras"}},
      {"torch", {"torch"}, {"torch"}},
      {"jax", {"jax"}, {"jax"}},
      {"jaxlib", {"jaxlib"}, {"jaxlib", "jax"}},  // `import jax` runs on jaxlib
      {"scikit-learn", {"scikit-learn"}, {"sklearn"}},
      {"xgboost", {"xgboost", "xgboost-cpu"}, {"xgboost"}},
      {"lightgbm", {"lightgbm"}, {"lightgbm"}},
      {"numpy", {"numpy"}, {"numpy"}},
      {"pandas", {"pandas"}, {"pandas"}},
      {"scipy", {"scipy"}, {"scipy"}},
      {"optuna", {"optuna"}, {"optuna"}},
  };
  return kFrameworks;
}

}  // namespace

Json FrameworksImported(const Json& installed, const std::vector<std::string>& imports) {
  Json out = Json::object();
  for (const Framework& f : Frameworks()) {
    if (!installed.contains(f.key)) continue;
    bool used = false;
    for (const char* name : f.imports) used = used || std::find(imports.begin(), imports.end(), name) != imports.end();
    if (used) out[f.key] = installed[f.key];
  }
  return out;
}

Json FrameworkVersions(const std::vector<std::string>& site_dirs, std::vector<std::string>* warnings) {
  const std::vector<Framework>& kFrameworks = Frameworks();
  std::set<std::string> wanted;
  for (const Framework& f : kFrameworks) wanted.insert(f.dists.begin(), f.dists.end());
  std::map<std::string, std::string> versions;  // normalized name → version
  for (const Distribution& d : ScanDistributions(site_dirs, wanted, warnings)) {
    versions.emplace(NormalizeDistName(d.name), d.version);
  }
  Json out = Json::object();
  for (const Framework& f : kFrameworks) {
    for (const char* name : f.dists) {
      if (auto it = versions.find(name); it != versions.end()) {
        out[f.key] = it->second;
        break;
      }
    }
  }
  return out;
}

}  // namespace trail::context
