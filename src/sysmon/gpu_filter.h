// Which of the machine's NVIDIA GPUs a run may use, so that its system metrics cover those and no
// other (a shared node's other jobs' GPUs are not the run's: mlflow#13398).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace trail::sysmon {

// A variable of the run's environment: nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Positions in `uuids` (the machine's GPUs in NVML's index order) that the run may use, in the
// order it numbers them (so entry i is the run's `cuda:i`). The first of these that is set
// decides, the later ones are not looked at:
//   CUDA_VISIBLE_DEVICES   CUDA's own rule: indices or (prefixes of) UUIDs, the first entry that
//                          names no GPU ends the list, "" or "-1" hide every GPU
//   NVIDIA_VISIBLE_DEVICES the container runtime's: "all", "none" / "void" / "" for none, or
//                          indices and UUIDs as above
//   SLURM_STEP_GPUS, then SLURM_JOB_GPUS   the GPU indices Slurm gave the step or job
// With none of them set, every GPU. Slurm sets CUDA_VISIBLE_DEVICES itself for a job with GPUs,
// in the numbering the job sees, so the first rule covers both constrained and unconstrained
// nodes; the Slurm variables serve a job whose CUDA_VISIBLE_DEVICES was unset.
std::vector<size_t> RunGpus(const EnvLookup& env, const std::vector<std::string>& uuids);

// An EnvLookup over NAME=VALUE entries (a child's environment as process::ChildSpec holds it);
// the first entry of a name wins, as getenv() finds it. Copies `entries`.
EnvLookup LookupIn(std::vector<std::string> entries);

}  // namespace trail::sysmon
