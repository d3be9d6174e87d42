// Additional processors a run can use (the paper's "additional processors
// used; how many"): NVIDIA GPUs and TPUs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "context/context.h"
#include "context/nvml.h"

namespace trail::context {

// {gpus: [{index, vendor, model, memory_bytes, driver, uuid}], gpu_count,
//  cuda_visible_devices (only when set), tpus: [{device}], tpu_count,
//  tpu_env (only when some TPU_* variable is set)}.
//
// GPUs come from NVML when it opens and reports devices, else from
// proc/driver/nvidia/gpus/*/information and proc/driver/nvidia/version below
// env.root (no memory size there). `index` is the host's index (PCI bus
// order, as nvidia-smi shows it); the list holds the GPUs the command can see
// under env's CUDA_VISIBLE_DEVICES, in the order CUDA numbers them.
// TPUs are the dev/accel<N> device nodes below env.root (not the directory
// dev/accel/ of the Linux accel subsystem, which other NPUs use).
Json ReadProcessors(const ContextEnv& env, std::vector<std::string>* warnings,
                    const NvmlOpener& open_nvml = OpenSystemNvml);

// Positions in `uuids` (the host's GPUs in index order) that a
// CUDA_VISIBLE_DEVICES value makes visible, in CUDA's order. `spec` nullptr
// means unset: all of them. Entries are indices ("0,2") or UUIDs or unique
// UUID prefixes ("GPU-8f3a..."); like CUDA, the first entry that names no GPU
// (out of range, "-1", garbage, a repeat) ends the list, so "" and "-1" hide
// every GPU. Such an entry, other than "" or "-1", adds a warning.
std::vector<size_t> VisibleGpus(const std::string* spec, const std::vector<std::string>& uuids,
                                std::vector<std::string>* warnings);

}  // namespace trail::context
