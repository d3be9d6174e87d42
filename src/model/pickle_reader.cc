// The opcodes are those of CPython's Lib/pickle.py (protocols 0-5), read by their documented
// argument layouts; see pickle_reader.h for the policy on calls.
#include "model/pickle_reader.h"

#include <bit>
#include <cstring>
#include <unordered_map>

#include "model/pickle_policy.h"

namespace trail::model {
namespace {

using Kind = PickleNode::Kind;

class Machine {
 public:
  Machine(std::string_view data, const std::string& what, const PickleLimits& limits)
      : data_(data), what_(what), limits_(limits) {}

  StatusOr<PickleTree> Run();
  size_t position() const { return pos_; }

 private:
  Status Bad(const std::string& why) const {
    return Corrupt(what_ + ": pickle: " + why + " (at byte " + std::to_string(op_at_) + ")");
  }
  Status Refuse(const std::string& verb, const std::string& name) const {
    return InvalidArgument(what_ + ": refused: the pickle " + verb + " " + name +
                           " (trail never runs code from a model file)");
  }

  // Argument readers: every length is checked against the bytes left.
  Status Take(size_t n, std::string_view* out) {
    if (n > data_.size() - pos_) return Bad("truncated opcode argument");
    *out = data_.substr(pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  Status TakeLe(size_t n, uint64_t* out) {
    std::string_view b;
    TRAIL_RETURN_IF_ERROR(Take(n, &b));
    uint64_t v = 0;
    for (size_t i = n; i > 0; --i) v = (v << 8) | static_cast<unsigned char>(b[i - 1]);
    *out = v;
    return Status::Ok();
  }
  Status TakeLine(std::string_view* out) {
    const size_t nl = data_.find('\n', pos_);
    if (nl == std::string_view::npos) return Bad("truncated text argument");
    *out = data_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    return Status::Ok();
  }

  StatusOr<uint32_t> New(Kind kind) {
    if (tree_.nodes.size() >= limits_.max_nodes)
      return Bad("more than " + std::to_string(limits_.max_nodes) + " objects");
    tree_.nodes.emplace_back();
    tree_.nodes.back().kind = kind;
    return static_cast<uint32_t>(tree_.nodes.size() - 1);
  }
  PickleNode& N(uint32_t id) { return tree_.nodes[id]; }

  Status Push(uint32_t id) {
    if (stack_.size() >= limits_.max_stack) return Bad("stack deeper than " + std::to_string(limits_.max_stack));
    stack_.push_back(id);
    return Status::Ok();
  }
  Status PushNew(Kind kind, uint32_t* id = nullptr) {
    TRAIL_ASSIGN_OR_RETURN(uint32_t n, New(kind));
    if (id != nullptr) *id = n;
    return Push(n);
  }
  Status Pop(uint32_t* id) {
    if (stack_.size() <= floor()) return Bad("stack underflow");
    *id = stack_.back();
    stack_.pop_back();
    return Status::Ok();
  }
  Status Top(uint32_t* id) {
    if (stack_.size() <= floor()) return Bad("stack underflow");
    *id = stack_.back();
    return Status::Ok();
  }
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  // Pops everything above the last MARK, and the mark.
  Status PopMark(std::vector<uint32_t>* out) {
    if (marks_.empty()) return Bad("no MARK to pop to");
    const size_t at = marks_.back();
    marks_.pop_back();
    out->assign(stack_.begin() + static_cast<std::ptrdiff_t>(at), stack_.end());
    stack_.resize(at);
    return Status::Ok();
  }

  Status Memo(uint64_t index) {
    uint32_t top = 0;
    TRAIL_RETURN_IF_ERROR(Top(&top));
    if (memo_.size() >= limits_.max_nodes && memo_.count(index) == 0) return Bad("memo larger than its objects");
    memo_[index] = top;
    return Status::Ok();
  }
  Status Get(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) return Bad("memo index " + std::to_string(index) + " was never set");
    return Push(it->second);
  }

  Status PushInt(int64_t v, bool big = false) {
    uint32_t id = 0;
    TRAIL_RETURN_IF_ERROR(PushNew(Kind::kInt, &id));
    N(id).number = v;
    N(id).big = big;
    return Status::Ok();
  }
  Status PushText(Kind kind, std::string_view text) {
    uint32_t id = 0;
    TRAIL_RETURN_IF_ERROR(PushNew(kind, &id));
    N(id).text.assign(text);
    return Status::Ok();
  }
  Status PushSeq(Kind kind, std::vector<uint32_t> items) {
    uint32_t id = 0;
    TRAIL_RETURN_IF_ERROR(PushNew(kind, &id));
    N(id).items = std::move(items);
    return Status::Ok();
  }
  Status PushSymbol(std::string_view module, std::string_view name) {
    return PushText(Kind::kSymbol, NormalizeSymbol(std::string(module), std::string(name)));
  }
  // LONG1 / LONG4: two's complement little-endian; kept exactly up to 64 bits.
  Status PushLong(std::string_view bytes) {
    if (bytes.empty()) return PushInt(0);
    const bool negative = static_cast<unsigned char>(bytes.back()) & 0x80;
    size_t used = bytes.size();
    while (used > 1 && static_cast<unsigned char>(bytes[used - 1]) == (negative ? 0xff : 0x00)) --used;
    if (used > 8) return PushInt(negative ? -1 : 0, true);
    uint64_t v = negative ? ~uint64_t{0} : 0;
    for (size_t i = used; i > 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[i - 1]);
    return PushInt(static_cast<int64_t>(v));
  }
  Status PushDecimal(std::string_view line) {
    while (!line.empty() && line.back() == 'L') line.remove_suffix(1);  // protocol 0 longs
    if (line == "00" || line == "01") {                                 // protocol 0 booleans
      uint32_t id = 0;
      TRAIL_RETURN_IF_ERROR(PushNew(Kind::kBool, &id));
      N(id).number = line == "01";
      return Status::Ok();
    }
    errno = 0;
    char* end = nullptr;
    const std::string text(line);
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || end != text.c_str() + text.size()) return Bad("bad integer '" + text.substr(0, 40) + "'");
    return PushInt(v, errno == ERANGE);
  }

  Status Dispatch(unsigned char op);
  Status AddItems(uint32_t container, const std::vector<uint32_t>& items);
  Status SetItems(uint32_t dict, const std::vector<uint32_t>& items);
  Status Call(uint32_t callee, uint32_t args, int depth, uint32_t* out);
  // `cls` by value: it may name a node that New() moves.
  Status Instantiate(std::string cls, std::vector<uint32_t> args, uint32_t* out);
  Status PersistentId(uint32_t pid);

  std::string_view data_;
  const std::string& what_;
  const PickleLimits& limits_;
  size_t pos_ = 0;
  size_t op_at_ = 0;
  bool stopped_ = false;
  PickleTree tree_;
  std::vector<uint32_t> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, uint32_t> memo_;
};

Status Machine::AddItems(uint32_t container, const std::vector<uint32_t>& items) {
  const Kind k = N(container).kind;
  if (k != Kind::kList && k != Kind::kSet) {
    // list subclasses and set-like objects built by NEWOBJ: kept as the object's items
    if (k != Kind::kObject) return Bad("append to something that is not a list");
  }
  auto& dest = N(container).items;
  dest.insert(dest.end(), items.begin(), items.end());
  return Status::Ok();
}

Status Machine::SetItems(uint32_t dict, const std::vector<uint32_t>& items) {
  if (items.size() % 2 != 0) return Bad("SETITEMS with an odd number of items");
  if (N(dict).kind != Kind::kDict) {
    if (N(dict).kind != Kind::kObject) return Bad("setitem on something that is not a dict");
  }
  auto& dest = N(dict).items;
  dest.insert(dest.end(), items.begin(), items.end());
  return Status::Ok();
}

Status Machine::Instantiate(std::string cls, std::vector<uint32_t> args, uint32_t* out) {
  if (IsDangerousClass(cls)) return Refuse("creates", cls);
  TRAIL_ASSIGN_OR_RETURN(uint32_t id, New(Kind::kObject));
  N(id).text = std::move(cls);
  N(id).items = std::move(args);
  *out = id;
  return Status::Ok();
}

// A storage is ('storage', storage_type, key, location, numel), as torch.serialization writes it.
Status Machine::PersistentId(uint32_t pid) {
  const PickleNode& p = N(pid);
  // ('storage', type, key, location, numel), and in the legacy format a sixth item, view_metadata,
  // None unless the tensor views a storage of another storage (not read).
  if (p.kind == Kind::kTuple && (p.items.size() == 5 || (p.items.size() == 6 && N(p.items[5]).kind == Kind::kNone)) &&
      N(p.items[0]).kind == Kind::kString && N(p.items[0]).text == "storage") {
    const PickleNode& type = N(p.items[1]);
    const PickleNode& key = N(p.items[2]);
    const PickleNode& numel = N(p.items[4]);
    if (type.kind != Kind::kSymbol || key.kind != Kind::kString || numel.kind != Kind::kInt || numel.big ||
        numel.number < 0) {
      return Bad("malformed storage persistent id");
    }
    std::string type_name = type.text, key_text = key.text;
    const int64_t count = numel.number;
    uint32_t id = 0;
    TRAIL_RETURN_IF_ERROR(PushNew(Kind::kStorage, &id));
    N(id).type_name = std::move(type_name);
    N(id).text = std::move(key_text);
    N(id).number = count;
    return Status::Ok();
  }
  // The legacy format saves a whole module's class as ('module', class, source file, source):
  // the class's name stands for it (never imported; its source text is ignored).
  if (p.kind == Kind::kTuple && p.items.size() >= 2 && N(p.items[0]).kind == Kind::kString &&
      N(p.items[0]).text == "module" && N(p.items[1]).kind == Kind::kSymbol) {
    return Push(p.items[1]);
  }
  uint32_t id = 0;
  TRAIL_RETURN_IF_ERROR(PushNew(Kind::kOpaque, &id));
  N(id).text = "persistent id";
  return Status::Ok();
}

// A call to `callee` (a kSymbol) with `args` (a kTuple), interpreted by the allowlist.
Status Machine::Call(uint32_t callee, uint32_t args, int depth, uint32_t* out) {
  if (depth > 4) return Bad("calls nested too deeply");
  if (N(callee).kind != Kind::kSymbol) {
    // Calling the result of a call or an object: nothing a weights file does.
    return Refuse("calls", "a computed callable");
  }
  if (N(args).kind != Kind::kTuple) return Bad("call arguments are not a tuple");
  const std::string name = N(callee).text;
  const std::vector<uint32_t> a = N(args).items;
  switch (ClassifyCall(name)) {
    case CallKind::kRefused:
      return Refuse("calls", name);
    case CallKind::kTensor: {
      // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks, ...)
      if (a.size() < 4 || N(a[0]).kind != Kind::kStorage || N(a[1]).kind != Kind::kInt || N(a[1]).big ||
          N(a[2]).kind != Kind::kTuple || N(a[3]).kind != Kind::kTuple) {
        return Bad(name + " with arguments that are not (storage, offset, size, stride)");
      }
      std::vector<int64_t> shape, stride;
      for (uint32_t d : N(a[2]).items) {
        if (N(d).kind != Kind::kInt || N(d).big) return Bad("a tensor size that is not an integer");
        shape.push_back(N(d).number);
      }
      for (uint32_t d : N(a[3]).items) {
        if (N(d).kind != Kind::kInt || N(d).big) return Bad("a tensor stride that is not an integer");
        stride.push_back(N(d).number);
      }
      const int64_t offset = N(a[1]).number;
      TRAIL_ASSIGN_OR_RETURN(uint32_t id, New(Kind::kTensor));
      N(id).items = {a[0]};
      N(id).number = offset;
      N(id).shape = std::move(shape);
      N(id).stride = std::move(stride);
      *out = id;
      return Status::Ok();
    }
    case CallKind::kFirstArgument:  // _rebuild_parameter(data, requires_grad, hooks), restore_type_tag(value, type)
      if (a.empty()) return Bad(name + " without arguments");
      *out = a[0];
      return Status::Ok();
    case CallKind::kFromType:  // _rebuild_from_type_v2(func, new_type, args, state)
      if (a.size() < 3) return Bad(name + " with too few arguments");
      return Call(a[0], a[2], depth + 1, out);
    case CallKind::kDict: {
      TRAIL_ASSIGN_OR_RETURN(uint32_t id, New(Kind::kDict));
      if (!a.empty() && (N(a[0]).kind == Kind::kList || N(a[0]).kind == Kind::kTuple)) {
        for (uint32_t pair : std::vector<uint32_t>(N(a[0]).items)) {
          if (N(pair).kind == Kind::kTuple && N(pair).items.size() == 2) {
            N(id).items.push_back(N(pair).items[0]);
            N(id).items.push_back(N(pair).items[1]);
          }
        }
      }
      *out = id;
      return Status::Ok();
    }
    case CallKind::kSequence: {  // set, frozenset, list, tuple, torch.Size of an iterable
      const Kind kind = name.ends_with("set")                                                     ? Kind::kSet
                        : name == "builtins.list" || name.starts_with("torch.jit._pickle.build_") ? Kind::kList
                                                                                                  : Kind::kTuple;
      TRAIL_ASSIGN_OR_RETURN(uint32_t id, New(kind));
      if (!a.empty()) {
        const Kind from = N(a[0]).kind;
        if (from == Kind::kList || from == Kind::kTuple || from == Kind::kSet) N(id).items = N(a[0]).items;
      }
      *out = id;
      return Status::Ok();
    }
    case CallKind::kReconstructor: {  // copyreg._reconstructor(cls, base, state): object.__new__(cls)
      if (a.size() < 2 || N(a[0]).kind != Kind::kSymbol || N(a[1]).kind != Kind::kSymbol ||
          N(a[1]).text != "builtins.object") {
        return Refuse("calls", name + " with a base other than object");
      }
      return Instantiate(N(a[0]).text, {}, out);
    }
    case CallKind::kUnreadTensor: {
      TRAIL_ASSIGN_OR_RETURN(uint32_t id, New(Kind::kOpaque));
      N(id).text = name;
      *out = id;
      return Status::Ok();
    }
    case CallKind::kOpaque: {
      TRAIL_ASSIGN_OR_RETURN(uint32_t id, New(Kind::kCall));
      N(id).text = name;
      N(id).items = a;
      *out = id;
      return Status::Ok();
    }
  }
  return Bad("unreachable");
}

Status Machine::Dispatch(unsigned char op) {
  std::string_view s;
  uint64_t n = 0;
  uint32_t a = 0, b = 0;
  std::vector<uint32_t> items;
  switch (op) {
    case 0x80:  // PROTO
      return TakeLe(1, &n);
    case 0x95:  // FRAME: a length hint only
      return TakeLe(8, &n);
    case '.':  // STOP
      stopped_ = true;
      return Status::Ok();
    case '(':  // MARK
      if (marks_.size() >= limits_.max_marks) return Bad("too many nested MARKs");
      marks_.push_back(stack_.size());
      return Status::Ok();
    case '0':  // POP
      return Pop(&a);
    case '1':  // POP_MARK
      return PopMark(&items);
    case '2':  // DUP
      TRAIL_RETURN_IF_ERROR(Top(&a));
      return Push(a);
    case 'N':
      return PushNew(Kind::kNone);
    case 0x88:  // NEWTRUE
    case 0x89:  // NEWFALSE
      TRAIL_RETURN_IF_ERROR(PushNew(Kind::kBool, &a));
      N(a).number = op == 0x88;
      return Status::Ok();
    case 'I':  // INT (text)
    case 'L':  // LONG (text)
      TRAIL_RETURN_IF_ERROR(TakeLine(&s));
      return PushDecimal(s);
    case 'J':  // BININT
      TRAIL_RETURN_IF_ERROR(TakeLe(4, &n));
      return PushInt(static_cast<int32_t>(static_cast<uint32_t>(n)));
    case 'K':  // BININT1
      TRAIL_RETURN_IF_ERROR(TakeLe(1, &n));
      return PushInt(static_cast<int64_t>(n));
    case 'M':  // BININT2
      TRAIL_RETURN_IF_ERROR(TakeLe(2, &n));
      return PushInt(static_cast<int64_t>(n));
    case 0x8a:  // LONG1
      TRAIL_RETURN_IF_ERROR(TakeLe(1, &n));
      TRAIL_RETURN_IF_ERROR(Take(n, &s));
      return PushLong(s);
    case 0x8b:  // LONG4
      TRAIL_RETURN_IF_ERROR(TakeLe(4, &n));
      TRAIL_RETURN_IF_ERROR(Take(n, &s));
      return PushLong(s);
    case 'F': {  // FLOAT (text)
      TRAIL_RETURN_IF_ERROR(TakeLine(&s));
      const std::string text(s);
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size()) return Bad("bad float");
      TRAIL_RETURN_IF_ERROR(PushNew(Kind::kFloat, &a));
      N(a).real = v;
      return Status::Ok();
    }
    case 'G': {  // BINFLOAT: big-endian double
      TRAIL_RETURN_IF_ERROR(Take(8, &s));
      uint64_t bits = 0;
      for (char c : s) bits = (bits << 8) | static_cast<unsigned char>(c);
      TRAIL_RETURN_IF_ERROR(PushNew(Kind::kFloat, &a));
      N(a).real = std::bit_cast<double>(bits);
      return Status::Ok();
    }
    case 'S': {  // STRING: a quoted repr; kept without the quotes, escapes as written
      TRAIL_RETURN_IF_ERROR(TakeLine(&s));
      if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front())
        s = s.substr(1, s.size() - 2);
      return PushText(Kind::kString, s);
    }
    case 'V':  // UNICODE (raw-unicode-escape, kept as written)
      TRAIL_RETURN_IF_ERROR(TakeLine(&s));
      return PushText(Kind::kString, s);
    case 'T':  // BINSTRING
    case 'X':  // BINUNICODE
    case 'B':  // BINBYTES
      TRAIL_RETURN_IF_ERROR(TakeLe(4, &n));
      TRAIL_RETURN_IF_ERROR(Take(n, &s));
      return PushText(op == 'B' ? Kind::kBytes : Kind::kString, s);
    case 'U':   // SHORT_BINSTRING
    case 'C':   // SHORT_BINBYTES
    case 0x8c:  // SHORT_BINUNICODE
      TRAIL_RETURN_IF_ERROR(TakeLe(1, &n));
      TRAIL_RETURN_IF_ERROR(Take(n, &s));
      return PushText(op == 'C' ? Kind::kBytes : Kind::kString, s);
    case 0x8d:  // BINUNICODE8
    case 0x8e:  // BINBYTES8
    case 0x96:  // BYTEARRAY8
      TRAIL_RETURN_IF_ERROR(TakeLe(8, &n));
      if (n > data_.size() - pos_) return Bad("truncated opcode argument");
      TRAIL_RETURN_IF_ERROR(Take(static_cast<size_t>(n), &s));
      return PushText(op == 0x8d ? Kind::kString : Kind::kBytes, s);
    case 0x97:  // NEXT_BUFFER: out-of-band data torch.save never uses
      return Bad("out-of-band buffers are not supported");
    case 0x98:  // READONLY_BUFFER
      return Top(&a);
    case ']':
      return PushNew(Kind::kList);
    case ')':
      return PushNew(Kind::kTuple);
    case '}':
      return PushNew(Kind::kDict);
    case 0x8f:  // EMPTY_SET
      return PushNew(Kind::kSet);
    case 'l':  // LIST
      TRAIL_RETURN_IF_ERROR(PopMark(&items));
      return PushSeq(Kind::kList, std::move(items));
    case 't':  // TUPLE
      TRAIL_RETURN_IF_ERROR(PopMark(&items));
      return PushSeq(Kind::kTuple, std::move(items));
    case 0x91:  // FROZENSET
      TRAIL_RETURN_IF_ERROR(PopMark(&items));
      return PushSeq(Kind::kSet, std::move(items));
    case 'd':  // DICT
      TRAIL_RETURN_IF_ERROR(PopMark(&items));
      if (items.size() % 2 != 0) return Bad("DICT with an odd number of items");
      return PushSeq(Kind::kDict, std::move(items));
    case 0x85:    // TUPLE1
    case 0x86:    // TUPLE2
    case 0x87: {  // TUPLE3
      const size_t count = op - 0x84;
      if (stack_.size() < floor() + count) return Bad("stack underflow");
      items.assign(stack_.end() - static_cast<std::ptrdiff_t>(count), stack_.end());
      stack_.resize(stack_.size() - count);
      return PushSeq(Kind::kTuple, std::move(items));
    }
    case 'a':  // APPEND
      TRAIL_RETURN_IF_ERROR(Pop(&b));
      TRAIL_RETURN_IF_ERROR(Top(&a));
      return AddItems(a, {b});
    case 'e':   // APPENDS
    case 0x90:  // ADDITEMS
      TRAIL_RETURN_IF_ERROR(PopMark(&items));
      TRAIL_RETURN_IF_ERROR(Top(&a));
      return AddItems(a, items);
    case 's': {  // SETITEM
      uint32_t value = 0, key = 0;
      TRAIL_RETURN_IF_ERROR(Pop(&value));
      TRAIL_RETURN_IF_ERROR(Pop(&key));
      TRAIL_RETURN_IF_ERROR(Top(&a));
      return SetItems(a, {key, value});
    }
    case 'u':  // SETITEMS
      TRAIL_RETURN_IF_ERROR(PopMark(&items));
      TRAIL_RETURN_IF_ERROR(Top(&a));
      return SetItems(a, items);
    case 'p':  // PUT (text index)
      TRAIL_RETURN_IF_ERROR(TakeLine(&s));
      return Memo(std::strtoull(std::string(s).c_str(), nullptr, 10));
    case 'q':  // BINPUT
      TRAIL_RETURN_IF_ERROR(TakeLe(1, &n));
      return Memo(n);
    case 'r':  // LONG_BINPUT
      TRAIL_RETURN_IF_ERROR(TakeLe(4, &n));
      return Memo(n);
    case 0x94:  // MEMOIZE
      return Memo(memo_.size());
    case 'g':  // GET (text index)
      TRAIL_RETURN_IF_ERROR(TakeLine(&s));
      return Get(std::strtoull(std::string(s).c_str(), nullptr, 10));
    case 'h':  // BINGET
      TRAIL_RETURN_IF_ERROR(TakeLe(1, &n));
      return Get(n);
    case 'j':  // LONG_BINGET
      TRAIL_RETURN_IF_ERROR(TakeLe(4, &n));
      return Get(n);
    case 'c': {  // GLOBAL: "module\nname\n"
      std::string_view module;
      TRAIL_RETURN_IF_ERROR(TakeLine(&module));
      TRAIL_RETURN_IF_ERROR(TakeLine(&s));
      return PushSymbol(module, s);
    }
    case 0x93: {  // STACK_GLOBAL
      TRAIL_RETURN_IF_ERROR(Pop(&b));
      TRAIL_RETURN_IF_ERROR(Pop(&a));
      if (N(a).kind != Kind::kString || N(b).kind != Kind::kString) return Bad("STACK_GLOBAL of non-strings");
      const std::string module = N(a).text, name = N(b).text;
      return PushSymbol(module, name);
    }
    case 0x82:  // EXT1..4: the extension registry names callables by number
    case 0x83:
    case 0x84:
      return Refuse("uses", "the copyreg extension registry");
    case 'R': {  // REDUCE
      uint32_t args = 0, callee = 0, result = 0;
      TRAIL_RETURN_IF_ERROR(Pop(&args));
      TRAIL_RETURN_IF_ERROR(Pop(&callee));
      TRAIL_RETURN_IF_ERROR(Call(callee, args, 0, &result));
      return Push(result);
    }
    case 0x81:    // NEWOBJ: cls.__new__(cls, *args)
    case 0x92: {  // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
      uint32_t cls = 0, args = 0, kwargs = kNoNode, result = 0;
      if (op == 0x92) TRAIL_RETURN_IF_ERROR(Pop(&kwargs));
      TRAIL_RETURN_IF_ERROR(Pop(&args));
      TRAIL_RETURN_IF_ERROR(Pop(&cls));
      if (N(cls).kind != Kind::kSymbol) return Refuse("creates", "an instance of a computed class");
      std::vector<uint32_t> arg_items = N(args).items;
      if (kwargs != kNoNode) arg_items.push_back(kwargs);
      TRAIL_RETURN_IF_ERROR(Instantiate(N(cls).text, std::move(arg_items), &result));
      return Push(result);
    }
    case 'i': {  // INST: "module\nname\n", args from the mark: calls the class
      std::string_view module;
      TRAIL_RETURN_IF_ERROR(TakeLine(&module));
      TRAIL_RETURN_IF_ERROR(TakeLine(&s));
      TRAIL_RETURN_IF_ERROR(PopMark(&items));
      TRAIL_RETURN_IF_ERROR(PushSymbol(module, s));
      TRAIL_RETURN_IF_ERROR(Pop(&a));
      TRAIL_RETURN_IF_ERROR(PushSeq(Kind::kTuple, std::move(items)));
      TRAIL_RETURN_IF_ERROR(Pop(&b));
      uint32_t result = 0;
      TRAIL_RETURN_IF_ERROR(Call(a, b, 0, &result));
      return Push(result);
    }
    case 'o': {  // OBJ: class and args from the mark
      TRAIL_RETURN_IF_ERROR(PopMark(&items));
      if (items.empty()) return Bad("OBJ without a class");
      const uint32_t cls = items.front();
      items.erase(items.begin());
      TRAIL_RETURN_IF_ERROR(PushSeq(Kind::kTuple, std::move(items)));
      TRAIL_RETURN_IF_ERROR(Pop(&b));
      uint32_t result = 0;
      TRAIL_RETURN_IF_ERROR(Call(cls, b, 0, &result));
      return Push(result);
    }
    case 'b': {  // BUILD: obj.__setstate__(state) or obj.__dict__.update(state); kept, never run
      uint32_t state = 0;
      TRAIL_RETURN_IF_ERROR(Pop(&state));
      TRAIL_RETURN_IF_ERROR(Top(&a));
      if (N(a).kind == Kind::kObject || N(a).kind == Kind::kCall) N(a).state = state;
      return Status::Ok();
    }
    case 'P':  // PERSID (text)
      TRAIL_RETURN_IF_ERROR(TakeLine(&s));
      TRAIL_RETURN_IF_ERROR(PushNew(Kind::kOpaque, &a));
      N(a).text = "persistent id";
      return Status::Ok();
    case 'Q':  // BINPERSID
      TRAIL_RETURN_IF_ERROR(Pop(&a));
      return PersistentId(a);
    default: {
      static const char kHex[] = "0123456789abcdef";
      return Bad(std::string("unknown opcode 0x") + kHex[op >> 4] + kHex[op & 15]);
    }
  }
}

StatusOr<PickleTree> Machine::Run() {
  while (!stopped_) {
    if (pos_ >= data_.size()) return Bad("ends without STOP");
    op_at_ = pos_;
    const unsigned char op = static_cast<unsigned char>(data_[pos_++]);
    TRAIL_RETURN_IF_ERROR(Dispatch(op));
  }
  if (stack_.empty()) return Bad("STOP with an empty stack");
  tree_.root = stack_.back();
  return std::move(tree_);
}

}  // namespace

StatusOr<PickleTree> ParsePickle(std::string_view data, const std::string& what, const PickleLimits& limits,
                                 size_t* consumed) {
  Machine machine(data, what, limits);
  StatusOr<PickleTree> tree = machine.Run();
  if (consumed != nullptr) *consumed = machine.position();
  return tree;
}

}  // namespace trail::model
