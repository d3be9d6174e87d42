// The token-level reading that the source scans (function_scan, seed_scan) share: one file's
// tokens, the text of each, and the brackets open at the current token. A scanner derives from
// it and walks the tokens once, front to back.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "context/program_sources.h"
#include "context/py_tokenizer.h"

namespace trail::context {

class SourceWalker {
 protected:
  explicit SourceWalker(const SourceFile& file) : file_(file), src_(file.text), t_(file.tokens) {}

  std::string_view Text(size_t i) const { return TokenText(src_, t_[i]); }
  bool IsOp(size_t i, std::string_view op) const {
    return i < t_.size() && t_[i].kind == TokenKind::kOp && Text(i) == op;
  }
  bool IsNameAt(size_t i) const { return i < t_.size() && t_[i].kind == TokenKind::kName; }
  // "src/train.py:12": where token i is, for a record.
  std::string At(size_t i) const { return file_.display + ":" + std::to_string(t_[i].line); }
  // Source text of tokens [b, e), without the spacing around them.
  std::string Span(size_t b, size_t e) const {
    if (b >= e) return "";
    return std::string(src_.substr(t_[b].begin, t_[e - 1].begin + t_[e - 1].size - t_[b].begin));
  }
  // Keeps brackets_ in step with an operator token the walk passes.
  void TrackBracket(std::string_view op) {
    if (op == "(" || op == "[" || op == "{") brackets_.push_back(op[0]);
    if ((op == ")" || op == "]" || op == "}") && !brackets_.empty()) brackets_.pop_back();
  }
  // True when token i starts an argument of a call: right after its "(" or a ",".
  bool AtArgumentStart(size_t i) const {
    return !brackets_.empty() && brackets_.back() == '(' && i > 0 && (IsOp(i - 1, "(") || IsOp(i - 1, ","));
  }

  // The dotted name that starts at name token i (`np.random.seed`), part by part; returns the
  // token after it.
  size_t ReadDottedName(size_t i, std::vector<std::string_view>* parts) const {
    parts->assign({Text(i)});
    size_t end = i + 1;
    while (IsOp(end, ".") && IsNameAt(end + 1)) {
      parts->push_back(Text(end + 1));
      end += 2;
    }
    return end;
  }

  const SourceFile& file_;
  std::string_view src_;
  const std::vector<Token>& t_;
  std::vector<char> brackets_;  // the brackets open at the token the walk is on
};

}  // namespace trail::context
