#include "context/function_scan.h"

#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "context/function_table.h"
#include "context/py_imports.h"
#include "context/source_walker.h"
#include "context/text_files.h"

namespace trail::context {
namespace {

constexpr size_t kMaxListed = 5;     // spellings and places kept per function
constexpr size_t kMaxSpelling = 80;  // a spelling longer than this is cut

class Findings {
 public:
  void Add(const FunctionKind& kind, std::string spelling, const std::string& at) {
    if (kind.name.empty()) return;  // 'linear', penalty='none': a choice of no function
    if (spelling.size() > kMaxSpelling) spelling = spelling.substr(0, kMaxSpelling - 3) + "...";
    spelling = SanitizeUtf8(spelling);  // source bytes go into a record, which must stay text
    auto key = std::make_pair(std::string(kind.category), std::string(kind.name));
    auto [it, added] = index_.emplace(key, entries_.size());
    if (added) entries_.push_back(Entry{key.first, key.second, {}, {}});
    Entry& e = entries_[it->second];
    AddOnce(&e.found, std::move(spelling));
    AddOnce(&e.at, SanitizeUtf8(at));
  }

  Json ToJson() const {
    Json out = Json::array();
    for (const Entry& e : entries_) {
      out.push_back(Json{{"category", e.category}, {"name", e.name}, {"found", e.found}, {"at", e.at}});
    }
    return out;
  }

 private:
  struct Entry {
    std::string category, name;
    std::vector<std::string> found, at;
  };
  static void AddOnce(std::vector<std::string>* list, std::string item) {
    if (list->size() >= kMaxListed) return;
    for (const std::string& s : *list) {
      if (s == item) return;
    }
    list->push_back(std::move(item));
  }

  std::vector<Entry> entries_;
  std::map<std::pair<std::string, std::string>, size_t> index_;
};

std::vector<std::string> SplitDotted(const std::string& dotted) { return SplitString(dotted, '.'); }

bool IsZeroLiteral(std::string_view number) {
  bool digit = false;
  for (char c : number) {
    if (c >= '1' && c <= '9') return false;
    if (c == 'e' || c == 'E' || c == 'j' || c == 'J') break;  // 0e5 is 0; the exponent does not matter
    if (c == '0') digit = true;
  }
  return digit;
}

using TokenRange = std::pair<size_t, size_t>;

// The arguments of one call, as token ranges [first, second).
struct CallArgs {
  std::vector<TokenRange> positional;
  std::unordered_map<std::string_view, TokenRange> keywords;
  bool unpacks = false;                     // *args or **kwargs: any argument may be in there
  std::vector<std::string> unpacked_names;  // the NAME of each plain **NAME among them
};

// A dict display or dict(...) call bound to a name: its keys, each with the
// tokens of its value. `params = {'penalty': 'l1'}` and then
// `LogisticRegression(**params)` passes exactly these keywords.
using LiteralDict = std::unordered_map<std::string, TokenRange>;

class FileScanner : SourceWalker {
 public:
  FileScanner(const SourceFile& file, Findings* out) : SourceWalker(file), out_(out) {}

  void Run() {
    FindModuleDefinitions();
    for (size_t i = 0; i < t_.size();) {
      const Token& t = t_[i];
      if (t.kind == TokenKind::kOp) {
        TrackBracket(Text(i));
        ++i;
      } else if (t.kind == TokenKind::kString) {
        if (IsDictKey(i)) OnDictKey(i);
        ++i;
      } else if (t.kind == TokenKind::kName) {
        i = OnName(i);
      } else {
        ++i;
      }
    }
  }

 private:
  size_t Column(size_t i) const {
    size_t b = t_[i].begin;
    size_t nl = src_.rfind('\n', b == 0 ? 0 : b - 1);
    return nl == std::string_view::npos ? b : b - nl - 1;
  }

  // Classes and functions defined at module level are looked up when code
  // runs, so they hide a framework name of the file wherever it is used.
  void FindModuleDefinitions() {
    for (size_t i = 0; i + 1 < t_.size(); ++i) {
      if (!IsNameAt(i) || !IsNameAt(i + 1)) continue;
      std::string_view word = Text(i);
      if ((word == "class" || word == "def") && IsStatementStart(src_, t_, i) && Column(i) == 0) {
        module_definitions_.insert(std::string(Text(i + 1)));
      }
    }
  }

  size_t OnName(size_t i) {
    std::string_view word = Text(i);
    if ((word == "import" || word == "from") && IsStatementStart(src_, t_, i)) {
      size_t next = i;
      for (const ImportStatement& s : ParseImportAt(src_, t_, &next)) Bind(s);
      return next;
    }
    if (word == "def" || word == "for" || word == "as") ForgetRebound(i);
    if (word == "class" || word == "def") return IsNameAt(i + 1) ? i + 2 : i + 1;
    if (i > 0 && IsOp(i - 1, ".")) return i + 1;  // an attribute of a call's result: f().relu
    if (literal_dicts_.count(std::string(word)) && MayChangeDict(i)) literal_dicts_.erase(std::string(word));
    if (IsOp(i + 1, "=")) {
      if (AtArgumentStart(i)) {
        OnKeyword(i);
        return i + 1;
      }
      // At a line's (or ';' statement's) start; not after a ':', where
      // `opt: Adam = Adam(...)` annotates rather than rebinds Adam.
      if (IsStatementStart(src_, t_, i) && !(i > 0 && IsOp(i - 1, ":"))) {
        OnAssignment(i);
        return i + 1;
      }
    }
    std::vector<std::string_view> chain;
    const size_t end = ReadDottedName(i, &chain);
    OnReference(i, chain, end);
    if (IsOp(end, "(")) {
      if (chain.size() >= 2) OnMethodCall(i, chain, end);
      if (IsOptionListCall(chain.back())) OnOptionList(i, Span(i, end), end, "");
    }
    return end;
  }

  // Names a `def`'s parameters, a `for` target or an `as` target rebind:
  // they no longer hold a literal dict assigned before.
  void ForgetRebound(size_t i) {
    if (literal_dicts_.empty()) return;
    size_t j = i + 1;
    if (Text(i) == "def") {
      if (!IsNameAt(j) || !IsOp(j + 1, "(")) return;
      const uint32_t depth = t_[j + 1].depth;
      for (j += 2; j < t_.size() && t_[j].depth > depth; ++j) {
        if (IsNameAt(j)) literal_dicts_.erase(std::string(Text(j)));
      }
      return;
    }
    for (; j < t_.size() && t_[j].kind != TokenKind::kNewline && !(IsNameAt(j) && Text(j) == "in"); ++j) {
      if (IsNameAt(j)) literal_dicts_.erase(std::string(Text(j)));
      if (Text(i) == "as" && !IsOp(j + 1, ",")) break;
    }
  }

  // Could the statement change the dict named at `i`? params['k'] = v,
  // params.update(...), del params['k'], params |= {...}.
  bool MayChangeDict(size_t i) const {
    if (i > 0 && IsNameAt(i - 1) && Text(i - 1) == "del") return true;
    if (i + 1 >= t_.size() || t_[i + 1].kind != TokenKind::kOp) return false;
    std::string_view op = Text(i + 1);
    if (op == "|=") return true;
    if (op == "." && IsNameAt(i + 2)) {
      std::string_view m = Text(i + 2);
      return m == "update" || m == "setdefault" || m == "pop" || m == "popitem" || m == "clear" || m == "__setitem__";
    }
    if (op != "[") return false;
    size_t j = i + 2;
    while (j < t_.size() && t_[j].depth > t_[i + 1].depth) ++j;  // to the matching ']'
    return j + 1 < t_.size() && t_[j + 1].kind == TokenKind::kOp && Text(j + 1).size() >= 1 &&
           Text(j + 1).back() == '=' && Text(j + 1) != "==";
  }

  // model.compile('adam', 'mse'): a method, on an object no import names, whose
  // positional arguments name functions. re.compile and torch.compile are
  // functions of modules the file imports, and never match.
  void OnMethodCall(size_t at, const std::vector<std::string_view>& chain, size_t open) {
    std::vector<CallRule> rules = MethodCallRules(chain.back());
    if (rules.empty()) return;
    std::vector<std::string_view> receiver(chain.begin(), chain.end() - 1);
    if (Resolve(receiver)) return;
    std::string callee;
    for (std::string_view part : chain) callee += (callee.empty() ? "" : ".") + std::string(part);
    OnCall(at, callee, open, rules);
  }

  // A list of options in a search space or a random choice: each string
  // option counts, in the context of the keyword the call is the value of
  // (optimizer=hp.Choice(...)) or else of the parameter's name
  // (hp.Choice('optimizer', [...]), trial.suggest_categorical('opt', [...])).
  // A nested option list is read too: hp.HParam('optimizer', hp.Discrete([...])).
  void OnOptionList(size_t at, const std::string& callee, size_t open, std::string_view context, int nesting = 0) {
    if (nesting > 2) return;
    CallArgs args = ParseCall(open);
    size_t first_option = 0;
    std::optional<std::string_view> name;
    if (!args.positional.empty()) {
      auto [b, e] = args.positional[0];
      if (e == b + 1 && t_[b].kind == TokenKind::kString) {
        name = StringLiteralValue(Text(b));
        first_option = 1;
      }
    }
    if (auto kw = args.keywords.find("name"); kw != args.keywords.end() && kw->second.second == kw->second.first + 1 &&
                                              t_[kw->second.first].kind == TokenKind::kString) {
      name = StringLiteralValue(Text(kw->second.first));
    }
    if (context.empty() && name) context = OptionNameContext(*name);
    if (context.empty() || IsNumericContext(context)) return;
    std::vector<TokenRange> options(args.positional.begin() + static_cast<long>(first_option), args.positional.end());
    for (std::string_view key : {"values", "choices", "options", "categories", "domain"}) {
      if (auto kw = args.keywords.find(key); kw != args.keywords.end()) options.push_back(kw->second);
    }
    for (auto [b, e] : options) {
      if (b >= e) continue;
      if (IsOp(b, "[") || IsOp(b, "(")) {
        for (size_t k = b + 1; k < e; ++k) {
          if (t_[k].kind == TokenKind::kString && t_[k].depth == t_[b].depth + 1) {
            ReadString(context, callee + "(...", k, "...)", at);
          }
        }
      } else if (auto inner = OptionListOpen(b, e)) {
        OnOptionList(at, Span(b, *inner), *inner, context, nesting + 1);
      }
    }
  }

  // The '(' of an option-list call that spans all of [b, e) (hp.Discrete([...])), if it is one.
  std::optional<size_t> OptionListOpen(size_t b, size_t e) const {
    size_t j = b;
    while (IsNameAt(j) && IsOp(j + 1, ".") && IsNameAt(j + 2)) j += 2;
    if (!IsNameAt(j) || !IsOp(j + 1, "(") || !IsOptionListCall(Text(j))) return std::nullopt;
    size_t close = j + 2;
    while (close < t_.size() && t_[close].depth > t_[j + 1].depth) ++close;
    if (close + 1 != e) return std::nullopt;
    return j + 1;
  }

  // Binds the names an import statement defines to what they name. A
  // relative import names the project's own code: its target starts with
  // '.', which no framework's does.
  void Bind(const ImportStatement& s) {
    if (!s.is_from) {
      if (!s.alias.empty()) {
        bindings_[s.alias] = s.module;
      } else {
        std::string top = s.module.substr(0, s.module.find('.'));
        bindings_[top] = top;
      }
      return;
    }
    for (const ImportedName& n : s.names) {
      if (n.name == "*") {
        if (s.level == 0) stars_.push_back(s.module);
        continue;
      }
      bindings_[n.bound()] = s.level > 0 ? "." + n.name : s.module + "." + n.name;
    }
  }

  // `name = a.b.c` makes name an alias; any other value makes it the
  // file's own.
  void OnAssignment(size_t i) {
    std::string name(Text(i));
    size_t j = i + 2;
    std::vector<std::string_view> chain;
    while (IsNameAt(j)) {
      chain.push_back(Text(j));
      if (!IsOp(j + 1, ".")) break;
      j += 2;
    }
    bool plain_alias = !chain.empty() && IsNameAt(j) &&
                       (j + 1 >= t_.size() || t_[j + 1].kind == TokenKind::kNewline || IsOp(j + 1, ";"));
    std::string target;
    if (plain_alias) {
      if (auto path = Resolve(chain)) {
        for (const std::string& p : *path) target += (target.empty() ? "" : ".") + p;
      }
    }
    bindings_[name] = target;
    if (auto dict = ParseLiteralDict(i + 2)) {
      literal_dicts_[name] = std::move(*dict);
    } else {
      literal_dicts_.erase(name);
    }
  }

  // The full dotted name `chain` refers to through the file's imports, or
  // nullopt for a name of the file's own.
  std::optional<std::vector<std::string>> Resolve(const std::vector<std::string_view>& chain) const {
    std::string first(chain[0]);
    if (module_definitions_.count(first)) return std::nullopt;
    std::vector<std::string> path;
    if (auto it = bindings_.find(first); it != bindings_.end()) {
      if (it->second.empty() || it->second[0] == '.') return std::nullopt;
      path = SplitDotted(it->second);
      path.insert(path.end(), chain.begin() + 1, chain.end());
      return path;
    }
    // A star import provides whatever its module defines: only a name the
    // table knows below that module can be told apart from the file's own.
    for (auto it = stars_.rbegin(); it != stars_.rend(); ++it) {
      std::vector<std::string> candidate = SplitDotted(*it);
      size_t base = candidate.size();
      candidate.insert(candidate.end(), chain.begin(), chain.end());
      std::vector<std::string_view> views(candidate.begin(), candidate.end());
      if (MatchSymbol(views).parts > base) return candidate;
    }
    return std::nullopt;
  }

  void OnReference(size_t i, const std::vector<std::string_view>& chain, size_t end) {
    auto path = Resolve(chain);
    if (!path) return;
    std::vector<std::string_view> views(path->begin(), path->end());
    SymbolMatch m = MatchSymbol(views);
    if (m.parts == 0) return;
    // The matched prefix, as the source spells it.
    size_t expanded = path->size() - chain.size();
    size_t used = m.parts > expanded ? m.parts - expanded : 1;
    std::string spelling;
    for (size_t k = 0; k < used && k < chain.size(); ++k) spelling += (k ? "." : "") + std::string(chain[k]);
    for (const FunctionKind& kind : m.kinds) out_->Add(kind, spelling, At(i));
    if (m.parts == path->size() && IsOp(end, "(") && !m.call_rules.empty()) {
      OnCall(i, spelling, end, m.call_rules);
    }
  }

  CallArgs ParseCall(size_t open) const {
    CallArgs args;
    uint32_t depth = t_[open].depth + 1;
    size_t b = open + 1;
    auto finish = [&](size_t e) {
      if (b >= e) return;
      if (IsNameAt(b) && IsOp(b + 1, "=")) {
        args.keywords.emplace(Text(b), std::make_pair(b + 2, e));
      } else if (IsOp(b, "*") || IsOp(b, "**")) {
        args.unpacks = true;
        if (IsOp(b, "**") && e == b + 2 && IsNameAt(b + 1)) args.unpacked_names.emplace_back(Text(b + 1));
      } else {
        args.positional.emplace_back(b, e);
      }
    };
    size_t j = open + 1;
    for (; j < t_.size() && t_[j].depth >= depth; ++j) {
      if (t_[j].depth == depth && IsOp(j, ",")) {
        finish(j);
        b = j + 1;
      }
    }
    finish(j);
    return args;
  }

  void OnCall(size_t at, const std::string& callee, size_t open, const std::vector<CallRule>& rules) {
    CallArgs args = ParseCall(open);
    // **NAME of a literal dict passes known keywords: they join the call's
    // own, and the defaults of the others still apply.
    const std::vector<const LiteralDict*> dicts = UnpackedLiteralDicts(args);
    if (args.unpacks && dicts.size() == args.unpacked_names.size() && CountsUnpacks(open) == dicts.size()) {
      args.unpacks = false;
      for (const LiteralDict* dict : dicts) {
        for (const auto& [key, range] : *dict) args.keywords.emplace(key, range);
      }
    }
    for (const CallRule& rule : rules) {
      if (auto kw = args.keywords.find(rule.keyword); kw != args.keywords.end()) {
        // A keyword every call understands was read where it stands.
        if (KeywordContext(rule.keyword).empty()) {
          ReadValue(rule.context, std::string(rule.keyword) + "=", kw->second.first, kw->second.second, at);
        }
        continue;
      }
      if (rule.position >= 0 && static_cast<size_t>(rule.position) < args.positional.size()) {
        auto [b, e] = args.positional[static_cast<size_t>(rule.position)];
        if (e == b + 1 && t_[b].kind == TokenKind::kString) {
          std::string label = callee + "(" + (rule.position > 0 ? "..., " : "");
          ReadString(rule.context, label, b, ")", at);
        }
        continue;
      }
      if (rule.default_value.empty() || args.unpacks || rule.position >= 0) continue;
      std::string spelling = callee + " default " + std::string(rule.keyword) + "=";
      if (IsNumericContext(rule.context)) {
        out_->Add(NumericMeaning(rule.context), spelling + std::string(rule.default_value), At(at));
      } else if (auto kind = LookupString(rule.context, rule.default_value)) {
        out_->Add(*kind, spelling + "'" + std::string(rule.default_value) + "'", At(at));
      }
    }
  }

  // The literal dicts the call's **NAME arguments name; one missing when
  // NAME is not a literal dict here.
  std::vector<const LiteralDict*> UnpackedLiteralDicts(const CallArgs& args) const {
    std::vector<const LiteralDict*> out;
    for (const std::string& name : args.unpacked_names) {
      if (auto it = literal_dicts_.find(name); it != literal_dicts_.end()) out.push_back(&it->second);
    }
    return out;
  }

  // How many * and ** unpackings the call at `open` has.
  size_t CountsUnpacks(size_t open) const {
    const uint32_t depth = t_[open].depth + 1;
    size_t count = 0;
    for (size_t j = open + 1; j < t_.size() && t_[j].depth >= depth; ++j) {
      if (t_[j].depth == depth && (IsOp(j, "*") || IsOp(j, "**")) && (IsOp(j - 1, "(") || IsOp(j - 1, ","))) ++count;
    }
    return count;
  }

  // `name = {...}` or `name = dict(k=v, ...)` as a whole statement: the
  // dict's keys and values, or nullopt when it is anything else (or unpacks
  // another mapping into itself).
  std::optional<LiteralDict> ParseLiteralDict(size_t b) const {
    const bool display = IsOp(b, "{");
    const bool call = IsNameAt(b) && Text(b) == "dict" && IsOp(b + 1, "(");
    if (!display && !call) return std::nullopt;
    const size_t open = display ? b : b + 1;
    const uint32_t depth = t_[open].depth + 1;
    LiteralDict out;
    size_t j = open + 1;
    for (; j < t_.size() && t_[j].depth >= depth; ++j) {
      const bool entry_start =
          t_[j].depth == depth && (j == open + 1 || (IsOp(j - 1, ",") && t_[j - 1].depth == depth));
      if (!entry_start || t_[j].kind == TokenKind::kNewline) continue;
      if (display && t_[j].kind == TokenKind::kString && IsOp(j + 1, ":")) {
        auto key = StringLiteralValue(Text(j));
        if (!key) return std::nullopt;
        out[std::string(*key)] = {j + 2, ValueEnd(j + 2, depth)};
      } else if (call && IsNameAt(j) && IsOp(j + 1, "=")) {
        out[std::string(Text(j))] = {j + 2, ValueEnd(j + 2, depth)};
      } else {
        return std::nullopt;  // **other, a computed key, a positional argument
      }
    }
    // The closing bracket must end the statement: not {...}[k], not {...} | other.
    const size_t after = j + 1;
    if (after < t_.size() && t_[after].kind != TokenKind::kNewline && !IsOp(after, ";")) return std::nullopt;
    return out;
  }

  // The end of the value that starts at `b` in an argument list or dict
  // display at `depth`: the next ',' there, or the closing bracket.
  size_t ValueEnd(size_t b, uint32_t depth) const {
    size_t e = b;
    while (e < t_.size() && t_[e].depth >= depth && !(t_[e].depth == depth && IsOp(e, ","))) {
      if (t_[e].kind == TokenKind::kNewline) break;
      ++e;
    }
    return e;
  }

  void OnKeyword(size_t i) {
    std::string_view keyword = Text(i);
    std::string_view context = KeywordContext(keyword);
    if (context.empty()) return;
    size_t b = i + 2;
    ReadValue(context, std::string(keyword) + "=", b, ValueEnd(b, t_[i].depth), i);
  }

  bool IsDictKey(size_t i) const {
    return !brackets_.empty() && brackets_.back() == '{' && i > 0 && (IsOp(i - 1, "{") || IsOp(i - 1, ",")) &&
           IsOp(i + 1, ":");
  }

  void OnDictKey(size_t i) {
    auto key = StringLiteralValue(Text(i));
    if (!key) return;
    std::string_view context = KeywordContext(*key);
    if (context.empty()) return;
    size_t b = i + 2;
    ReadValue(context, std::string(Text(i)) + ": ", b, ValueEnd(b, t_[i].depth), i);
  }

  // Reads a keyword's value [b, e) in `context`: a number turns a numeric
  // context on unless it is 0 (None and False too); strings are looked up,
  // at the value's top level ('mse' if x else 'mae') or directly inside a
  // list, tuple or dict (['l1', 'l2'] in a search grid, Keras' per-output
  // {'out': 'mse'}).
  void ReadValue(std::string_view context, const std::string& label, size_t b, size_t e, size_t at) {
    if (b >= e) return;
    if (IsNumericContext(context)) {
      if (e == b + 1) {
        std::string_view v = Text(b);
        if (t_[b].kind == TokenKind::kNumber && IsZeroLiteral(v)) return;
        if (t_[b].kind == TokenKind::kName && (v == "None" || v == "False")) return;
      }
      out_->Add(NumericMeaning(context), label + Span(b, e), At(at));
      return;
    }
    uint32_t depth = t_[b].depth;
    bool bracketed = (IsOp(b, "[") || IsOp(b, "(") || IsOp(b, "{")) && t_[e - 1].depth == depth &&
                     (IsOp(e - 1, "]") || IsOp(e - 1, ")") || IsOp(e - 1, "}"));
    for (size_t k = b; k < e; ++k) {
      if (t_[k].kind != TokenKind::kString) continue;
      if (t_[k].depth == depth || (bracketed && t_[k].depth == depth + 1)) ReadString(context, label, k, "", at);
    }
    // The same spelling as when the call is met on its own, so it is listed once.
    if (auto open = OptionListOpen(b, e)) OnOptionList(at, Span(b, *open), *open, context);
  }

  void ReadString(std::string_view context, const std::string& label, size_t k, const std::string& suffix, size_t at) {
    auto value = StringLiteralValue(Text(k));
    if (!value) return;
    if (auto kind = LookupString(context, *value)) out_->Add(*kind, label + std::string(Text(k)) + suffix, At(at));
  }

  Findings* out_;
  std::unordered_map<std::string, std::string> bindings_;  // name → dotted target; "" = the file's own
  std::vector<std::string> stars_;                         // modules star-imported, in order
  std::unordered_set<std::string> module_definitions_;
  std::unordered_map<std::string, LiteralDict> literal_dicts_;  // name → the literal dict it holds now
};

}  // namespace

Json ScanFunctions(const ProgramSources& sources) {
  Findings findings;
  for (const SourceFile& f : sources.files) FileScanner(f, &findings).Run();
  return findings.ToJson();
}

}  // namespace trail::context
