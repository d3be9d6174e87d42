#include "context/function_scan.h"

#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "context/function_table.h"
#include "context/py_imports.h"
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
    spelling = ValidUtf8(spelling);  // source bytes go into a record, which must stay text
    auto key = std::make_pair(std::string(kind.category), std::string(kind.name));
    auto [it, added] = index_.emplace(key, entries_.size());
    if (added) entries_.push_back(Entry{key.first, key.second, {}, {}});
    Entry& e = entries_[it->second];
    AddOnce(&e.found, std::move(spelling));
    AddOnce(&e.at, ValidUtf8(at));
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

// The arguments of one call, as token ranges [first, second).
struct CallArgs {
  std::vector<std::pair<size_t, size_t>> positional;
  std::unordered_map<std::string_view, std::pair<size_t, size_t>> keywords;
  bool unpacks = false;  // *args or **kwargs: any argument may be in there
};

class FileScanner {
 public:
  FileScanner(const SourceFile& file, Findings* out) : file_(file), src_(file.text), t_(file.tokens), out_(out) {}

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
  std::string_view Text(size_t i) const { return TokenText(src_, t_[i]); }
  bool IsOp(size_t i, std::string_view op) const {
    return i < t_.size() && t_[i].kind == TokenKind::kOp && Text(i) == op;
  }
  bool IsNameAt(size_t i) const { return i < t_.size() && t_[i].kind == TokenKind::kName; }
  std::string At(size_t i) const { return file_.display + ":" + std::to_string(t_[i].line); }
  // Source text of tokens [b, e), without the spacing between them.
  std::string Span(size_t b, size_t e) const {
    if (b >= e) return "";
    return std::string(src_.substr(t_[b].begin, t_[e - 1].begin + t_[e - 1].size - t_[b].begin));
  }

  void TrackBracket(std::string_view op) {
    if (op == "(" || op == "[" || op == "{") brackets_.push_back(op[0]);
    if ((op == ")" || op == "]" || op == "}") && !brackets_.empty()) brackets_.pop_back();
  }

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
    if (word == "class" || word == "def") return IsNameAt(i + 1) ? i + 2 : i + 1;
    if (i > 0 && IsOp(i - 1, ".")) return i + 1;  // an attribute of a call's result: f().relu
    if (IsOp(i + 1, "=")) {
      if (!brackets_.empty() && brackets_.back() == '(' && i > 0 && (IsOp(i - 1, "(") || IsOp(i - 1, ","))) {
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
    std::vector<std::string_view> chain = {word};
    size_t end = i + 1;
    while (IsOp(end, ".") && IsNameAt(end + 1)) {
      chain.push_back(Text(end + 1));
      end += 2;
    }
    OnReference(i, chain, end);
    return end;
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
  }

  void ReadString(std::string_view context, const std::string& label, size_t k, const std::string& suffix, size_t at) {
    auto value = StringLiteralValue(Text(k));
    if (!value) return;
    if (auto kind = LookupString(context, *value)) out_->Add(*kind, label + std::string(Text(k)) + suffix, At(at));
  }

  const SourceFile& file_;
  std::string_view src_;
  const std::vector<Token>& t_;
  Findings* out_;
  std::unordered_map<std::string, std::string> bindings_;  // name → dotted target; "" = the file's own
  std::vector<std::string> stars_;                         // modules star-imported, in order
  std::unordered_set<std::string> module_definitions_;
  std::vector<char> brackets_;
};

}  // namespace

Json ScanFunctions(const ProgramSources& sources) {
  Findings findings;
  for (const SourceFile& f : sources.files) FileScanner(f, &findings).Run();
  return findings.ToJson();
}

}  // namespace trail::context
