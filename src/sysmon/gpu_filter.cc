#include "sysmon/gpu_filter.h"

#include "context/processors.h"

namespace trail::sysmon {

std::vector<size_t> RunGpus(const EnvLookup& env, const std::vector<std::string>& uuids) {
  std::vector<std::string> ignored;  // the record's context already warns about a bad entry
  if (auto cuda = env("CUDA_VISIBLE_DEVICES")) return context::VisibleGpus(&*cuda, uuids, &ignored);
  if (auto nvidia = env("NVIDIA_VISIBLE_DEVICES")) {
    if (*nvidia == "all") return context::VisibleGpus(nullptr, uuids, &ignored);
    if (*nvidia == "none" || *nvidia == "void") return {};
    return context::VisibleGpus(&*nvidia, uuids, &ignored);
  }
  for (const char* slurm : {"SLURM_STEP_GPUS", "SLURM_JOB_GPUS"}) {
    if (auto gpus = env(slurm)) return context::VisibleGpus(&*gpus, uuids, &ignored);
  }
  return context::VisibleGpus(nullptr, uuids, &ignored);
}

EnvLookup LookupIn(std::vector<std::string> entries) {
  return [entries = std::move(entries)](const std::string& name) -> std::optional<std::string> {
    for (const std::string& e : entries) {
      if (e.size() > name.size() && e[name.size()] == '=' && e.compare(0, name.size(), name) == 0) {
        return e.substr(name.size() + 1);
      }
    }
    return std::nullopt;
  };
}

}  // namespace trail::sysmon
