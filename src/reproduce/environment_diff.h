// The environment a run recorded, compared with the one a run would record now; and the pinned
// requirements list that would install the recorded packages again.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"

namespace trail::reproduce {

// One fact that differs: `item` names it ("python.version", "package numpy", "gpu_count"), the
// values are as the records say ("not installed", "none" when one side lacks it).
struct EnvironmentDifference {
  std::string item;
  std::string recorded;
  std::string now;
};

// Compares the facts that decide whether a run can come out the same: the Python interpreter and
// its version, every recorded package and framework version (against what is installed now:
// `packages`, `frameworks`, then `frameworks_installed`), os, distribution, arch, the CPU model,
// and the GPU models and their count. Kernel, memory, host and site-packages paths are left out:
// they differ between machines without changing a result. Both arguments are `environment` maps
// (run-yaml.md); a malformed value reads as absent. In a fixed order: system, Python, packages.
std::vector<EnvironmentDifference> CompareEnvironments(const Json& recorded, const Json& now);

// Every package and framework the environment names with a version, as name -> version, sorted
// by name (packages and frameworks agree when both name one; `unresolved` imports are left out).
std::vector<std::pair<std::string, std::string>> PinnedPackages(const Json& environment);

// A pip requirements file: a comment header naming the run, its Python version and OS, then one
// `name==version` per PinnedPackages entry.
std::string RequirementsText(const Json& record);

}  // namespace trail::reproduce
