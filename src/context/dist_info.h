// Installed Python distributions, read from their metadata files without
// importing anything: *.dist-info/METADATA (wheels), *.egg-info/PKG-INFO or a
// bare *.egg-info file (setuptools, Debian's packages), *.egg/EGG-INFO/PKG-INFO.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/yaml.h"

namespace trail::context {

struct Distribution {
  std::string name;     // the Name header as written, e.g. "scikit-learn"
  std::string version;  // the Version header
  std::string path;     // its .dist-info / .egg-info / .egg entry
};

// PEP 503 normalization: lowercase, each run of '-', '_' and '.' becomes '-'.
std::string NormalizeDistName(std::string_view name);

// The distributions in `site_dirs`, folder by folder in the order given; a
// name already found shadows the same name in a later folder (first on
// sys.path wins, as importlib.metadata has it). With `only` (normalized
// names) non-empty, entries whose file name names another distribution are
// skipped unopened, which keeps the cost to a directory listing per folder.
// Only the header block of each metadata file is read. A metadata file that
// is missing or has no Name or Version adds a warning and is skipped.
std::vector<Distribution> ScanDistributions(const std::vector<std::string>& site_dirs,
                                            const std::set<std::string>& only, std::vector<std::string>* warnings);

// The top-level import names a distribution provides, sorted: its
// top_level.txt; without one, the first path components of RECORD (packages
// and single-file modules; not metadata, scripts or __pycache__); without
// that either, the normalized name with '-' as '_'.
std::vector<std::string> ImportNames(const Distribution& dist);

// Import name → distribution name over `dists`; the first provider wins.
std::map<std::string, std::string> ImportIndex(const std::vector<Distribution>& dists);

// {name: version} of the ML frameworks installed, in this order: tensorflow,
// keras, torch, jax, jaxlib, scikit-learn, xgboost, lightgbm, numpy, pandas,
// scipy, optuna. A framework published under several distribution names
// (tensorflow-cpu, tf-nightly, xgboost-cpu, ...) is reported under its usual
// name. Only the matching metadata files are opened.
Json FrameworkVersions(const std::vector<std::string>& site_dirs, std::vector<std::string>* warnings);

// The part of `installed` (FrameworkVersions' result) that the program uses:
// the frameworks one of whose import names (sklearn for scikit-learn; jax
// for jaxlib too) is among `imports`, the top-level names its sources import.
// Same order as `installed`.
Json FrameworksImported(const Json& installed, const std::vector<std::string>& imports);

}  // namespace trail::context
