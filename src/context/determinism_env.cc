#include "context/determinism_env.h"

#include "base/secrets.h"
#include "base/text.h"

namespace trail::context {
namespace {

// The one list of variables recorded, each with why its value can change a
// run's results.
constexpr std::string_view kVariables[] = {
    "PYTHONHASHSEED",           // str/bytes hashing: set and dict iteration order of strings
    "TRAIL_SEED",               // the seed `trail run --seed` and trail.seed() pass on
    "PL_GLOBAL_SEED",           // Lightning's seed_everything passes its seed to workers through it
    "CUDA_VISIBLE_DEVICES",     // which GPUs, and how many: batch split, reduction order
    "HIP_VISIBLE_DEVICES",      // the same for ROCm
    "CUBLAS_WORKSPACE_CONFIG",  // ":4096:8" makes cuBLAS deterministic (torch.use_deterministic_algorithms)
    "CUDA_LAUNCH_BLOCKING",     // serialises kernel launches
    "NVIDIA_TF32_OVERRIDE",     // 0 turns TF32 off: float32 matmuls at full precision
    "TORCH_DETERMINISTIC",      // read by training scripts to call torch.use_deterministic_algorithms
    "TF_DETERMINISTIC_OPS",     // TensorFlow's deterministic GPU kernels
    "TF_CUDNN_DETERMINISTIC",   // deterministic cuDNN algorithms in TensorFlow
    "TF_ENABLE_ONEDNN_OPTS",    // oneDNN kernels change floating-point rounding on CPU
    "XLA_FLAGS",                // --xla_gpu_deterministic_ops and other numerics switches (JAX, TF)
    "KERAS_BACKEND",            // which framework Keras 3 computes with
    "OMP_NUM_THREADS",          // thread counts change the order of floating-point reductions
    "MKL_NUM_THREADS",          //
    "OPENBLAS_NUM_THREADS",     //
    "NUMEXPR_NUM_THREADS",      //
    "MKL_CBWR",                 // MKL's conditional numerical reproducibility (the code path it picks per CPU)
};

constexpr std::string_view kParamPrefix = "TRAIL_PARAM_";  // params a program reads from the environment

}  // namespace

bool IsDeterminismVariable(std::string_view name) {
  if (name.starts_with(kParamPrefix) && name.size() > kParamPrefix.size()) return true;
  for (std::string_view v : kVariables) {
    if (v == name) return true;
  }
  return false;
}

Json DeterminismVariables(const std::map<std::string, std::string>& env) {
  Json out = Json::object();
  for (const auto& [name, value] : env) {
    if (!IsDeterminismVariable(name)) continue;
    // Params are masked the same way (record::MaskSecretParams): a record never carries a secret.
    out[SanitizeUtf8(name)] = IsSecretName(name) ? std::string(kMaskedValue) : SanitizeUtf8(value);
  }
  return out;
}

}  // namespace trail::context
