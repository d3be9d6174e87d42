// Finding the tensors in a torch.save pickle's tree (pickle_reader.h) and naming them by their
// path: dict keys and sequence indices joined with '.', as a state_dict names them ("fc.weight",
// "model.fc.weight" inside a checkpoint dict). Inside a pickled nn.Module the `_parameters`,
// `_buffers` and `_modules` levels add no name, so `torch.save(model)` lists the names its
// state_dict would; its other `_private` attributes (caches such as an LSTM's `_flat_weights`)
// are skipped. A tensor object reached twice (tied weights) is listed under both names but is a
// parameter only the first time. Optimizer state (a dict with "state" and "param_groups", or any
// subtree under a key such as "optimizer" or "optimizer_state_dict") is not a model parameter.
//
// A TorchScript archive's modules (classes `__torch__.*`) keep their attributes flat in their
// state dict: with the classes' `__parameters__` and `__buffers__` from code/
// (torchscript_code.h), only those tensors and submodules are followed, so the names are the
// scripted module's state_dict() keys and plain tensor attributes are left out.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/model_info.h"
#include "model/pickle_reader.h"
#include "trail/status.h"

namespace trail::model {

// What a TorchScript class keeps in its state_dict(), as its code/ declares it.
struct ScriptClassState {
  std::set<std::string> parameters;
  std::set<std::string> buffers;
};
using ScriptClasses = std::map<std::string, ScriptClassState>;  // by "__torch__.a.b.C"

struct FoundTensor {
  std::string name;
  uint32_t node = kNoNode;  // a kTensor node
  bool is_parameter = true;
};

struct WalkResult {
  std::vector<FoundTensor> tensors;               // in pickle order
  std::vector<std::string> classes;               // classes instantiated (never loaded), first seen first
  std::map<std::string, uint64_t> module_counts;  // nn.Module class name -> instances
  std::vector<FoundFunction> functions;
  uint64_t unread_tensors = 0;  // quantized, sparse, ... tensors not listed
  bool torchscript = false;     // walked with the classes of a TorchScript archive
};

// Corrupt when the tree nests deeper than trail follows. `script`: the classes of a TorchScript
// archive (null for a torch.save file); it must outlive the call.
StatusOr<WalkResult> WalkPickle(const PickleTree& tree, const std::string& path, const ScriptClasses* script = nullptr);

// Architecture summary (op_counts: module classes), functions and notes from a walk.
void ApplyWalkSummary(const WalkResult& walk, ModelInfo& info);

}  // namespace trail::model
