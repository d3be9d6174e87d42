// The code/ folder of a TorchScript archive (torch.jit.save, torch.jit.script(m).save), read as
// text and never run: each class's `__parameters__` and `__buffers__` lists (what its
// state_dict() holds, so tensor attributes outside them are not listed) and the torch functions
// its methods call (`torch.relu(x)`: Table 1 functions). The archive is
// `<name>/{data.pkl, constants.pkl, code/__torch__/**.py, extra/, version}`; a class
// `__torch__.a.b.C` is written as `class C(Module):` in `code/__torch__/a/b.py`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/pytorch_walk.h"
#include "model/zip_archive.h"

namespace trail::model {

struct TorchScriptCode {
  ScriptClasses classes;                  // by qualified name: "__torch__.torch.nn.modules.linear.Linear"
  std::map<std::string, uint64_t> calls;  // "torch.relu" -> call sites in all code files
  std::vector<std::string> notes;         // code files skipped (too large, unreadable)
};

// Adds what one code file says: `module` is its qualified module name ("__torch__.a.b").
void ScanTorchScriptSource(std::string_view module, std::string_view text, TorchScriptCode* code);

// Reads every `prefix + "code/**.py"` member of `zip` (each up to 16 MB, 256 MB in all; past that
// a file is skipped with a note, as is one that cannot be inflated).
TorchScriptCode ReadTorchScriptCode(const ZipArchive& zip, const std::string& prefix);

// The Table 1 functions the calls name, added to `info` ("code: torch.relu (2 call sites)").
void ApplyTorchScriptCalls(const TorchScriptCode& code, ModelInfo& info);

}  // namespace trail::model
