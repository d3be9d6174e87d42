#include "model/pytorch_walk.h"

#include <algorithm>
#include <unordered_set>

namespace trail::model {
namespace {

using Kind = PickleNode::Kind;

constexpr int kMaxDepth = 200;

bool IsOptimizerKey(const std::string& key) {
  static const char* const kKeys[] = {"optimizer",           "optimizer_state_dict",
                                      "optimizer_state",     "optim",
                                      "optim_state",         "opt",
                                      "opt_state",           "scheduler",
                                      "lr_scheduler",        "scaler",
                                      "scheduler_state_dict"};
  for (const char* k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

std::string Join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

// "__torch__.torch.nn.modules.linear.___torch_mangle_0.Linear" -> "torch.nn.modules.linear.Linear":
// a TorchScript class as the Python class it was compiled from.
std::string ScriptPlainName(const std::string& symbol) {
  std::string out;
  size_t start = symbol.starts_with("__torch__.") ? 10 : 0;
  while (start <= symbol.size()) {
    size_t dot = symbol.find('.', start);
    if (dot == std::string::npos) dot = symbol.size();
    const std::string part = symbol.substr(start, dot - start);
    if (!part.starts_with("___torch_mangle_")) out += (out.empty() ? "" : ".") + part;
    start = dot + 1;
  }
  return out;
}

class Walker {
 public:
  Walker(const PickleTree& tree, const std::string& path, const ScriptClasses* script)
      : tree_(tree),
        path_(path),
        script_(script),
        on_path_(tree.nodes.size(), false),
        visit_budget_(4 * tree.nodes.size() + 100000) {
    result_.torchscript = script != nullptr;
  }

  Status Walk(uint32_t id, const std::string& name, bool optimizer, int depth) {
    if (id >= tree_.nodes.size() || on_path_[id]) return Status::Ok();  // a cycle: already being walked
    if (depth > kMaxDepth)
      return Corrupt(path_ + ": the pickle nests more than " + std::to_string(kMaxDepth) + " deep");
    if (visit_budget_-- == 0) return Corrupt(path_ + ": the pickle's objects are shared too many times to follow");
    on_path_[id] = true;
    Status s = Visit(id, name, optimizer, depth);
    on_path_[id] = false;
    return s;
  }

  WalkResult& result() { return result_; }

 private:
  std::string Key(uint32_t id) const {
    const PickleNode& k = tree_.nodes[id];
    if (k.kind == Kind::kString) return k.text;
    if (k.kind == Kind::kInt) return std::to_string(k.number);
    return "?";
  }

  bool HasKey(const PickleNode& dict, const char* key) const {
    for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
      const PickleNode& k = tree_.nodes[dict.items[i]];
      if (k.kind == Kind::kString && k.text == key) return true;
    }
    return false;
  }

  Status WalkDict(const PickleNode& n, const std::string& name, bool optimizer, int depth, bool module_state) {
    optimizer = optimizer || (HasKey(n, "state") && HasKey(n, "param_groups"));
    for (size_t i = 0; i + 1 < n.items.size(); i += 2) {
      const std::string key = Key(n.items[i]);
      const bool transparent = module_state && (key == "_parameters" || key == "_buffers" || key == "_modules");
      // Other private attributes of a module are caches of its parameters (an LSTM's
      // `_flat_weights`), not part of its state_dict.
      if (module_state && !transparent && key.starts_with("_")) continue;
      TRAIL_RETURN_IF_ERROR(
          Walk(n.items[i + 1], transparent ? name : Join(name, key), optimizer || IsOptimizerKey(key), depth + 1));
    }
    return Status::Ok();
  }

  // A TorchScript module's state: its declared parameters and buffers, and its submodules.
  Status WalkScriptModule(const PickleNode& state, const ScriptClassState& cls, const std::string& name, bool optimizer,
                          int depth) {
    for (size_t i = 0; i + 1 < state.items.size(); i += 2) {
      const std::string key = Key(state.items[i]);
      const uint32_t value = state.items[i + 1];
      const bool declared = cls.parameters.count(key) > 0 || cls.buffers.count(key) > 0;
      if (!declared && tree_.nodes[value].kind != Kind::kObject) continue;  // plain attributes
      TRAIL_RETURN_IF_ERROR(Walk(value, Join(name, key), optimizer, depth + 1));
    }
    return Status::Ok();
  }

  void NoteClass(const PickleNode& n, const std::string& name) {
    if (std::find(result_.classes.begin(), result_.classes.end(), n.text) == result_.classes.end()) {
      result_.classes.push_back(n.text);
    }
    const bool script = n.text.starts_with("__torch__.");
    const std::string plain = script ? ScriptPlainName(n.text) : n.text;
    const size_t dot = plain.rfind('.');
    const std::string module = dot == std::string::npos ? "" : plain.substr(0, dot);
    const std::string cls = plain.substr(dot == std::string::npos ? 0 : dot + 1);
    const bool is_module = script || (n.state != kNoNode && tree_.nodes[n.state].kind == Kind::kDict &&
                                      HasKey(tree_.nodes[n.state], "_modules"));
    if (is_module) ++result_.module_counts[cls];
    const std::string where = "module " + (name.empty() ? std::string("(root)") : name) + " (" + n.text + ")";
    // MultiheadAttention lives among the activations but is a layer, not an activation function.
    if (module == "torch.nn.modules.activation" && cls != "MultiheadAttention")
      result_.functions.push_back({"activation", cls, where});
    if (module == "torch.nn.modules.loss") result_.functions.push_back({"loss", cls, where});
    if (module.starts_with("torch.optim")) result_.functions.push_back({"optimizer", cls, "class " + n.text});
  }

  Status Visit(uint32_t id, const std::string& name, bool optimizer, int depth) {
    const PickleNode& n = tree_.nodes[id];
    switch (n.kind) {
      case Kind::kTensor: {
        // The same tensor object again (tied weights) is listed under this name too, but counted
        // once, as Module.parameters() counts it.
        const bool first = seen_tensors_.insert(id).second;
        result_.tensors.push_back({name.empty() ? "tensor" : name, id, !optimizer && first});
        return Status::Ok();
      }
      case Kind::kDict:
        return WalkDict(n, name, optimizer, depth, false);
      case Kind::kList:
      case Kind::kTuple:
      case Kind::kSet:
        for (size_t i = 0; i < n.items.size(); ++i) {
          TRAIL_RETURN_IF_ERROR(Walk(n.items[i], Join(name, std::to_string(i)), optimizer, depth + 1));
        }
        return Status::Ok();
      case Kind::kObject: {
        NoteClass(n, name);
        const bool opt = optimizer || n.text.starts_with("torch.optim");
        for (size_t i = 0; i < n.items.size(); ++i) {
          TRAIL_RETURN_IF_ERROR(Walk(n.items[i], Join(name, std::to_string(i)), opt, depth + 1));
        }
        if (n.state == kNoNode) return Status::Ok();
        const PickleNode& state = tree_.nodes[n.state];
        if (script_ != nullptr && state.kind == Kind::kDict) {
          auto cls = script_->find(n.text);
          if (cls != script_->end()) return WalkScriptModule(state, cls->second, name, opt, depth);
        }
        if (state.kind == Kind::kDict) return WalkDict(state, name, opt, depth, true);
        // (dict, slots) from __getstate__ with __slots__, or anything __setstate__ takes
        if (state.kind == Kind::kTuple) {
          for (uint32_t part : state.items) {
            if (tree_.nodes[part].kind == Kind::kDict) {
              TRAIL_RETURN_IF_ERROR(WalkDict(tree_.nodes[part], name, opt, depth + 1, true));
            }
          }
          return Status::Ok();
        }
        return Walk(n.state, name, opt, depth + 1);
      }
      case Kind::kCall:
        for (uint32_t item : n.items) TRAIL_RETURN_IF_ERROR(Walk(item, name, optimizer, depth + 1));
        if (n.state != kNoNode) return Walk(n.state, name, optimizer, depth + 1);
        return Status::Ok();
      case Kind::kOpaque:
        if (n.text.starts_with("torch._utils._rebuild_")) ++result_.unread_tensors;
        return Status::Ok();
      default:
        return Status::Ok();
    }
  }

  const PickleTree& tree_;
  const std::string& path_;
  const ScriptClasses* script_;
  std::vector<bool> on_path_;
  std::unordered_set<uint32_t> seen_tensors_;
  uint64_t visit_budget_;
  WalkResult result_;
};

}  // namespace

StatusOr<WalkResult> WalkPickle(const PickleTree& tree, const std::string& path, const ScriptClasses* script) {
  Walker walker(tree, path, script);
  TRAIL_RETURN_IF_ERROR(walker.Walk(tree.root, "", false, 0));
  return std::move(walker.result());
}

void ApplyWalkSummary(const WalkResult& walk, ModelInfo& info) {
  for (const auto& [cls, count] : walk.module_counts) info.op_counts[cls] += count;
  for (const FoundFunction& f : walk.functions) AddFunction(info, f.kind, f.spelling, f.where);
  if (!walk.classes.empty()) {
    std::string list;
    for (size_t i = 0; i < walk.classes.size() && i < 8; ++i) list += (i ? ", " : "") + walk.classes[i];
    if (walk.classes.size() > 8) list += ", ... (" + std::to_string(walk.classes.size()) + " in all)";
    if (walk.torchscript) {
      info.notes.push_back("TorchScript classes were read from code/ as text, never run: " + list +
                           "; their state was searched for tensors");
    } else {
      info.notes.push_back("classes were not loaded (trail never imports code): " + list +
                           "; their state was searched for tensors");
    }
  }
  if (walk.unread_tensors > 0) {
    info.notes.push_back(std::to_string(walk.unread_tensors) +
                         " tensors of kinds trail does not read (quantized, sparse, nested, meta) are not listed");
  }
}

}  // namespace trail::model
