// What the pickle reader (pickle_reader.h) may interpret: the allowlist of callables, after
// torch.load(weights_only=True)'s, and the modules whose classes are never instantiated.
#pragma once

#include <string>

namespace trail::model {

enum class CallKind {
  kRefused,        // not on the allowlist: the whole pickle is refused
  kTensor,         // torch._utils._rebuild_tensor(_v2): (storage, offset, size, stride, ...)
  kFirstArgument,  // torch._utils._rebuild_parameter(_with_state): the tensor it wraps; restore_type_tag
  kFromType,       // torch._tensor._rebuild_from_type(_v2): (func, type, args, state)
  kDict,           // collections.OrderedDict, builtins.dict
  kSequence,       // set, frozenset, list, tuple, torch.Size, TorchScript's torch.jit._pickle.build_*list
  kReconstructor,  // copyreg._reconstructor: object.__new__(cls) for protocols 0 and 1
  kUnreadTensor,   // quantized, sparse, nested or meta tensors: listed in a note, not read
  kOpaque,         // harmless values kept opaque: torch.device, dtypes, NumPy scalars and arrays
};

// "module.qualname", with Python 2 module names mapped as pickle's fix_imports does
// (__builtin__ -> builtins, copy_reg -> copyreg).
std::string NormalizeSymbol(const std::string& module, const std::string& name);

CallKind ClassifyCall(const std::string& symbol);

// True for a class whose creation trail refuses even though it runs nothing itself: anything from
// modules that run programs, code or I/O (os, subprocess, builtins' eval/exec, ...).
bool IsDangerousClass(const std::string& symbol);

}  // namespace trail::model
