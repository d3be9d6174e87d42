#include "context/py_imports.h"

namespace trail::context {
namespace {

class Cursor {
 public:
  Cursor(std::string_view src, const std::vector<Token>& tokens, size_t i) : src_(src), t_(tokens), i_(i) {}

  size_t pos() const { return i_; }
  bool AtEnd() const {
    return i_ >= t_.size() || t_[i_].kind == TokenKind::kNewline || (IsOp(";") && t_[i_].depth == 0);
  }
  bool IsOp(std::string_view op) const {
    return i_ < t_.size() && t_[i_].kind == TokenKind::kOp && TokenText(src_, t_[i_]) == op;
  }
  bool IsName(std::string_view name) const {
    return i_ < t_.size() && t_[i_].kind == TokenKind::kName && TokenText(src_, t_[i_]) == name;
  }
  bool AtName() const { return i_ < t_.size() && t_[i_].kind == TokenKind::kName; }
  std::string Take() { return std::string(TokenText(src_, t_[i_++])); }
  void Skip() { ++i_; }
  // Past the end of the statement (the newline or ';' stays for the caller).
  void SkipStatement() {
    while (!AtEnd()) ++i_;
  }

  // NAME ('.' NAME)*, or "" when no name is here.
  std::string Dotted() {
    std::string out;
    while (AtName()) {
      out += Take();
      if (!IsOp(".")) break;
      out += '.';
      Skip();
    }
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
  }

  // ['as' NAME]
  std::string Alias() {
    if (!IsName("as")) return "";
    Skip();
    return AtName() ? Take() : "";
  }

 private:
  std::string_view src_;
  const std::vector<Token>& t_;
  size_t i_;
};

}  // namespace

std::string ImportStatement::TopLevel() const {
  if (level > 0) return "";
  return module.substr(0, module.find('.'));
}

bool IsStatementStart(std::string_view source, const std::vector<Token>& tokens, size_t i) {
  if (i == 0) return true;
  const Token& prev = tokens[i - 1];
  if (prev.kind == TokenKind::kNewline) return true;
  if (prev.kind != TokenKind::kOp || prev.depth != 0) return false;
  std::string_view op = TokenText(source, prev);
  return op == ";" || op == ":";
}

std::vector<ImportStatement> ParseImportAt(std::string_view source, const std::vector<Token>& tokens, size_t* i) {
  std::vector<ImportStatement> out;
  Cursor c(source, tokens, *i);
  uint32_t line = tokens[*i].line;
  if (c.IsName("import")) {
    c.Skip();
    while (!c.AtEnd()) {
      ImportStatement s;
      s.line = line;
      s.module = c.Dotted();
      if (s.module.empty()) break;
      s.alias = c.Alias();
      out.push_back(std::move(s));
      if (!c.IsOp(",")) break;
      c.Skip();
    }
  } else if (c.IsName("from")) {
    c.Skip();
    ImportStatement s;
    s.line = line;
    s.is_from = true;
    for (;;) {
      if (c.IsOp(".")) {
        s.level += 1;
      } else if (c.IsOp("...")) {
        s.level += 3;
      } else {
        break;
      }
      c.Skip();
    }
    if (!c.IsName("import")) s.module = c.Dotted();
    if ((s.level > 0 || !s.module.empty()) && c.IsName("import")) {
      c.Skip();
      bool parens = c.IsOp("(");
      if (parens) c.Skip();
      while (!c.AtEnd() && !c.IsOp(")")) {
        if (c.IsOp("*")) {
          c.Skip();
          s.names.push_back({"*", ""});
        } else if (c.AtName()) {
          ImportedName n;
          n.name = c.Take();
          n.alias = c.Alias();
          s.names.push_back(std::move(n));
        } else {
          break;
        }
        if (!c.IsOp(",")) break;
        c.Skip();
      }
      if (!s.names.empty()) out.push_back(std::move(s));
    }
  }
  if (c.pos() == *i) c.Skip();
  c.SkipStatement();
  *i = c.pos();
  return out;
}

std::vector<ImportStatement> FindImports(std::string_view source, const std::vector<Token>& tokens) {
  std::vector<ImportStatement> out;
  for (size_t i = 0; i < tokens.size();) {
    const Token& t = tokens[i];
    if (t.kind == TokenKind::kName && IsStatementStart(source, tokens, i)) {
      std::string_view word = TokenText(source, t);
      if (word == "import" || word == "from") {
        for (ImportStatement& s : ParseImportAt(source, tokens, &i)) out.push_back(std::move(s));
        continue;
      }
    }
    ++i;
  }
  return out;
}

}  // namespace trail::context
