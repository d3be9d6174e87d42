// A Python pickle reader that executes nothing: a stack machine over the opcodes of protocols 0-5
// that builds a symbolic tree (numbers, strings, lists, tuples, dicts, opaque objects) instead of
// Python objects. It reads torch.save's data.pkl.
//
// Policy, after torch.load(weights_only=True): GLOBAL and STACK_GLOBAL only name a symbol. Calling
// a symbol (REDUCE, INST, OBJ) is interpreted symbolically when the symbol is on an allowlist (the
// tensor rebuild functions, OrderedDict, set, storage and dtype helpers, NumPy scalars); calling
// anything else refuses the whole pickle (InvalidArgument "... refused: the pickle calls
// os.system ..."), because a loader that honoured it would run code. Creating an instance of a
// class (NEWOBJ, BUILD: a whole `torch.save(model)`) gives an opaque object whose state is kept
// for the tensor search, unless the class lives in a module that runs programs or code (os,
// subprocess, builtins.eval, ...), which is refused too. Nothing from the file is ever imported.
//
// Limits: the input is in memory (the caller caps it); nodes, the stack, marks and call nesting
// are bounded (about 200 MB at worst); a memo index is a key in a map, never an allocation size; every length is
// checked against the bytes left.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "trail/status.h"

namespace trail::model {

inline constexpr uint32_t kNoNode = 0xffffffffu;

struct PickleNode {
  enum class Kind : uint8_t {
    kNone,
    kBool,     // number is 0 or 1
    kInt,      // number; `big` when it does not fit int64
    kFloat,    // real
    kString,   // text (UTF-8 as stored)
    kBytes,    // text (raw bytes)
    kList,     // items
    kTuple,    // items
    kSet,      // items
    kDict,     // items: key, value, key, value, ... in insertion order
    kSymbol,   // text: "module.qualname" (a GLOBAL; never imported)
    kObject,   // an instance of class `text`: items are its constructor args, `state` what BUILD set
    kCall,     // an allowlisted call kept opaque: text is the callee, items its args
    kStorage,  // a torch storage (BINPERSID): text = key, type_name = "torch.FloatStorage", number = numel
    kTensor,   // a tensor view: items[0] = its kStorage node, number = storage offset, shape, stride
    kOpaque,   // something trail does not interpret (a persistent id of another kind, a sparse tensor): text says what
  };
  Kind kind = Kind::kNone;
  bool big = false;
  int64_t number = 0;
  double real = 0;
  std::string text;
  std::string type_name;  // kStorage: the storage type symbol; kTensor: unused
  std::vector<uint32_t> items;
  uint32_t state = kNoNode;
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;
};

struct PickleTree {
  std::vector<PickleNode> nodes;
  uint32_t root = kNoNode;
};

struct PickleLimits {
  size_t max_nodes = 1'000'000;  // and memo entries; a node takes ~200 bytes
  size_t max_stack = 1'000'000;
  size_t max_marks = 100'000;
};

// Runs the pickle in `data` symbolically. `what` names the input in errors ("m.pt: data.pkl").
// Corrupt for a malformed pickle (unknown opcode, truncated argument, stack underflow, memo index
// never set, limits exceeded); InvalidArgument for a refused call.
// With `consumed`, the pickle may be followed by other bytes (the legacy torch.save stream is
// several pickles in a row): it gets the bytes up to and including STOP.
StatusOr<PickleTree> ParsePickle(std::string_view data, const std::string& what,
                                 const PickleLimits& limits = PickleLimits(), size_t* consumed = nullptr);

}  // namespace trail::model
