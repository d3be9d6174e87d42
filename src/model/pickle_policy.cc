#include "model/pickle_policy.h"

#include <string_view>

namespace trail::model {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string_view ModuleOf(std::string_view symbol) {
  const size_t dot = symbol.find('.');
  return dot == std::string_view::npos ? symbol : symbol.substr(0, dot);
}

}  // namespace

std::string NormalizeSymbol(const std::string& module, const std::string& name) {
  std::string m = module;
  if (m == "__builtin__") m = "builtins";
  if (m == "copy_reg") m = "copyreg";
  return m + "." + name;
}

CallKind ClassifyCall(const std::string& s) {
  if (s == "torch._utils._rebuild_tensor_v2" || s == "torch._utils._rebuild_tensor") return CallKind::kTensor;
  if (s == "torch._utils._rebuild_parameter" || s == "torch._utils._rebuild_parameter_with_state")
    return CallKind::kFirstArgument;
  if (s == "torch._tensor._rebuild_from_type_v2" || s == "torch._tensor._rebuild_from_type") return CallKind::kFromType;
  if (s == "collections.OrderedDict" || s == "builtins.dict" || s == "collections.defaultdict") return CallKind::kDict;
  if (s == "builtins.set" || s == "builtins.frozenset" || s == "builtins.list" || s == "builtins.tuple" ||
      s == "torch.Size")
    return CallKind::kSequence;
  // TorchScript archives: typed lists (each returns its argument) and list type tags.
  if (s == "torch.jit._pickle.build_intlist" || s == "torch.jit._pickle.build_tensorlist" ||
      s == "torch.jit._pickle.build_doublelist" || s == "torch.jit._pickle.build_boollist")
    return CallKind::kSequence;
  if (s == "torch.jit._pickle.restore_type_tag") return CallKind::kFirstArgument;
  if (s == "copyreg._reconstructor") return CallKind::kReconstructor;
  if (StartsWith(s, "torch._utils._rebuild_")) return CallKind::kUnreadTensor;  // qtensor, sparse, meta, ...
  static const char* const kOpaque[] = {
      "torch.device",
      "torch.serialization._get_layout",
      "torch._utils._get_restore_location",
      "builtins.complex",
      "builtins.slice",
      "builtins.bytearray",
      "builtins.range",
      "_codecs.encode",  // how protocol 2 spells bytes
      "numpy.core.multiarray.scalar",
      "numpy.core.multiarray._reconstruct",
      "numpy._core.multiarray.scalar",
      "numpy._core.multiarray._reconstruct",
      "numpy.dtype",
      "numpy.ndarray",
      "datetime.datetime",
      "datetime.date",
      "datetime.timedelta",
      "pathlib.PosixPath",
      "pathlib.WindowsPath",
      "argparse.Namespace",
      "enum.Enum",
  };
  for (const char* name : kOpaque) {
    if (s == name) return CallKind::kOpaque;
  }
  return CallKind::kRefused;
}

bool IsDangerousClass(const std::string& s) {
  static const char* const kModules[] = {
      "os",      "posix",    "nt",        "subprocess", "sys",        "shutil",
      "socket",  "pty",      "importlib", "runpy",      "pickle",     "_pickle",
      "marshal", "ctypes",   "code",      "codeop",     "webbrowser", "multiprocessing",
      "asyncio", "commands", "platform",  "types",      "functools",  "operator",
      "io",      "_io",      "tempfile",  "glob",       "signal",     "threading",
      "_thread", "pdb",      "timeit",    "trace",      "cProfile",   "profile",
      "ssl",     "http",     "urllib",    "ftplib",     "smtplib",    "telnetlib",
      "xmlrpc",  "dill",     "torch.hub",
  };
  const std::string_view module = ModuleOf(s);
  for (const char* m : kModules) {
    if (module == m || StartsWith(s, std::string(m) + ".")) return true;
  }
  if (module == "builtins") {
    static const char* const kSafe[] = {"builtins.object", "builtins.set",   "builtins.frozenset", "builtins.list",
                                        "builtins.dict",   "builtins.tuple", "builtins.bytearray", "builtins.int",
                                        "builtins.float",  "builtins.str",   "builtins.bytes",     "builtins.complex"};
    for (const char* ok : kSafe) {
      if (s == ok) return false;
    }
    return true;
  }
  return false;
}

}  // namespace trail::model
