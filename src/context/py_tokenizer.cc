#include "context/py_tokenizer.h"

#include <algorithm>
#include <cstring>

namespace trail::context {
namespace {

bool IsNameStart(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
bool IsNameChar(unsigned char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

bool IsStringPrefixChar(char c) { return c != '\0' && std::strchr("rRbBuUfFtT", c) != nullptr; }

// The length of the operator at the start of `r` (longest match: "**=",
// "...", "->", ":=", "<>"); 1 for any other byte.
size_t OperatorLength(std::string_view r) {
  char c = r[0];
  char d = r.size() > 1 ? r[1] : '\0';
  char e = r.size() > 2 ? r[2] : '\0';
  if (c == '*' || c == '/' || c == '>') {
    if (d == c) return e == '=' ? 3 : 2;  // ** // >> and **= //= >>=
    return d == '=' ? 2 : 1;
  }
  if (c == '<') {
    if (d == '<') return e == '=' ? 3 : 2;
    return d == '=' || d == '>' ? 2 : 1;
  }
  if (c == '.') return d == '.' && e == '.' ? 3 : 1;
  if (c == '-') return d == '=' || d == '>' ? 2 : 1;
  if (c != '\0' && std::strchr("!=+%&|^@:", c) != nullptr) return d == '=' ? 2 : 1;
  return 1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  TokenizedSource Run() {
    if (src_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    out_.tokens.reserve(src_.size() / 4);  // typical Python: a token per 4 bytes
    while (pos_ < src_.size()) Step();
    if (!out_.tokens.empty() && out_.tokens.back().kind != TokenKind::kNewline) {
      Emit(TokenKind::kNewline, static_cast<uint32_t>(src_.size()), 0);
    }
    if (depth_ > 0) Note("unclosed bracket at end of file");
    return std::move(out_);
  }

 private:
  void Note(const std::string& why) {
    if (out_.error.empty()) out_.error = "line " + std::to_string(line_) + ": " + why;
  }

  void Emit(TokenKind kind, size_t begin, size_t size, uint32_t line = 0) {
    out_.tokens.push_back(
        Token{kind, static_cast<uint32_t>(begin), static_cast<uint32_t>(size), line != 0 ? line : line_, depth_});
  }

  // A line end at `pos_` ("\n", "\r\n" or "\r"): its length, else 0.
  size_t LineEndAt(size_t p) const {
    if (p >= src_.size()) return 0;
    if (src_[p] == '\n') return 1;
    if (src_[p] == '\r') return p + 1 < src_.size() && src_[p + 1] == '\n' ? 2 : 1;
    return 0;
  }

  void Step() {
    char c = src_[pos_];
    if (size_t eol = LineEndAt(pos_)) {
      if (depth_ == 0 && !out_.tokens.empty() && out_.tokens.back().kind != TokenKind::kNewline) {
        Emit(TokenKind::kNewline, pos_, eol);
      }
      pos_ += eol;
      ++line_;
      return;
    }
    if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
      ++pos_;
      return;
    }
    if (c == '#') {
      while (pos_ < src_.size() && !LineEndAt(pos_)) ++pos_;
      return;
    }
    if (c == '\\') {
      if (size_t eol = LineEndAt(pos_ + 1)) {  // continuation: the line end is not a token
        pos_ += 1 + eol;
        ++line_;
        return;
      }
      Note("stray '\\'");
      ++pos_;
      return;
    }
    if (c == '\0') {
      Note("NUL byte");
      ++pos_;
      return;
    }
    if (IsNameStart(static_cast<unsigned char>(c))) {
      size_t end = pos_;
      while (end < src_.size() && IsNameChar(static_cast<unsigned char>(src_[end]))) ++end;
      if (end < src_.size() && (src_[end] == '\'' || src_[end] == '"') && end - pos_ <= 2 &&
          IsStringPrefixChar(src_[pos_]) && (end - pos_ == 1 || IsStringPrefixChar(src_[pos_ + 1]))) {
        LexString();
        return;
      }
      Emit(TokenKind::kName, pos_, end - pos_);
      pos_ = end;
      return;
    }
    if (c == '\'' || c == '"') {
      LexString();
      return;
    }
    if (IsDigit(static_cast<unsigned char>(c)) ||
        (c == '.' && pos_ + 1 < src_.size() && IsDigit(static_cast<unsigned char>(src_[pos_ + 1])))) {
      LexNumber();
      return;
    }
    LexOperator();
  }

  void LexNumber() {
    size_t end = pos_;
    bool hex = src_.size() > pos_ + 1 && src_[pos_] == '0' && (src_[pos_ + 1] == 'x' || src_[pos_ + 1] == 'X');
    while (end < src_.size()) {
      char d = src_[end];
      if (IsNameChar(static_cast<unsigned char>(d)) || d == '.') {
        ++end;
        // An exponent's sign belongs to the number: 1e-4.
        if (!hex && (d == 'e' || d == 'E') && end < src_.size() && (src_[end] == '-' || src_[end] == '+') &&
            end + 1 < src_.size() && IsDigit(static_cast<unsigned char>(src_[end + 1]))) {
          ++end;
        }
        continue;
      }
      break;
    }
    Emit(TokenKind::kNumber, pos_, end - pos_);
    pos_ = end;
  }

  void LexOperator() {
    size_t len = OperatorLength(src_.substr(pos_));
    char c = src_[pos_];
    if (c == ')' || c == ']' || c == '}') {
      if (depth_ == 0) {
        Note(std::string("unmatched '") + c + "'");
      } else {
        --depth_;
      }
    }
    Emit(TokenKind::kOp, pos_, len);
    if (c == '(' || c == '[' || c == '{') ++depth_;
    pos_ += len;
  }

  void LexString() {
    uint32_t first_line = line_;
    size_t begin = pos_;
    size_t end = ScanString(pos_);
    Emit(TokenKind::kString, begin, end - begin, first_line);
    pos_ = end;
  }

  // Scans the string literal that starts (prefix included) at `p`; returns
  // the offset just past it and counts the lines it spans.
  size_t ScanString(size_t p) {
    // The prefix. Raw or not, a backslash keeps the next byte from ending
    // the string, so only f/t (fields) changes how it is scanned.
    bool formatted = false;
    while (p < src_.size() && src_[p] != '\'' && src_[p] != '"') {
      char c = src_[p++];
      if (c == 'f' || c == 'F' || c == 't' || c == 'T') formatted = true;
    }
    if (p >= src_.size()) return p;  // callers see a quote here; kept safe regardless
    char quote = src_[p];
    bool triple = p + 2 < src_.size() && src_[p + 1] == quote && src_[p + 2] == quote;
    p += triple ? 3 : 1;
    while (p < src_.size()) {
      char c = src_[p];
      if (c == '\\') {
        if (size_t eol = LineEndAt(p + 1)) {
          p += 1 + eol;
          ++line_;
        } else {
          p = std::min(p + 2, src_.size());
        }
        continue;
      }
      if (size_t eol = LineEndAt(p)) {
        if (!triple) {
          Note("unterminated string");
          return p;  // the line end is lexed as usual
        }
        p += eol;
        ++line_;
        continue;
      }
      if (c == quote) {
        if (!triple) return p + 1;
        if (p + 2 < src_.size() && src_[p + 1] == quote && src_[p + 2] == quote) return p + 3;
      }
      if (formatted && c == '{') {
        if (p + 1 < src_.size() && src_[p + 1] == '{') {
          p += 2;
          continue;
        }
        p = SkipField(p + 1, quote, triple);
        continue;
      }
      ++p;
    }
    Note(triple ? "unterminated triple-quoted string" : "unterminated string");
    return p;
  }

  // True when the f-string's closing quote starts at `p`.
  bool ClosesAt(size_t p, char quote, bool triple) const {
    if (src_[p] != quote) return false;
    return !triple || (p + 2 < src_.size() && src_[p + 1] == quote && src_[p + 2] == quote);
  }

  // Skips an f-string replacement field whose '{' is just before `p`:
  // an expression (with its own brackets and strings), then an optional
  // format spec that may hold nested fields. Returns the offset past '}',
  // or where the field broke off (a line end in a one-line string, the
  // closing quote) so the caller sees that.
  size_t SkipField(size_t p, char quote, bool triple) {
    int nesting = 0;
    bool spec = false;
    while (p < src_.size()) {
      char c = src_[p];
      if (size_t eol = LineEndAt(p)) {
        if (!triple) return p;
        p += eol;
        ++line_;
        continue;
      }
      if (spec) {
        if (c == '}') return p + 1;
        if (c == '{') {
          p = SkipField(p + 1, quote, triple);
          continue;
        }
        if (ClosesAt(p, quote, triple)) return p;
        ++p;
        continue;
      }
      if (c == '\'' || c == '"') {
        p = ScanString(p);
        continue;
      }
      if (IsNameStart(static_cast<unsigned char>(c)) && IsStringPrefixChar(c)) {
        size_t q = p + 1;
        if (q < src_.size() && IsStringPrefixChar(src_[q])) ++q;
        if (q < src_.size() && (src_[q] == '\'' || src_[q] == '"') &&
            (p == 0 || !IsNameChar(static_cast<unsigned char>(src_[p - 1])))) {
          p = ScanString(p);
          continue;
        }
      }
      if (c == '(' || c == '[' || c == '{') ++nesting;
      if (c == ')' || c == ']') --nesting;
      if (c == '}') {
        if (nesting <= 0) return p + 1;
        --nesting;
      }
      if (c == ':' && nesting <= 0 && !(p + 1 < src_.size() && src_[p + 1] == '=')) spec = true;
      ++p;
    }
    return p;
  }

  std::string_view src_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t depth_ = 0;
  TokenizedSource out_;
};

}  // namespace

TokenizedSource Tokenize(std::string_view source) { return Lexer(source).Run(); }

std::optional<std::string_view> StringLiteralValue(std::string_view literal) {
  size_t q = literal.find_first_of("'\"");
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view prefix = literal.substr(0, q);
  bool formatted = false;
  for (char c : prefix) {
    if (c == 'b' || c == 'B') return std::nullopt;
    if (c == 'f' || c == 'F' || c == 't' || c == 'T') formatted = true;
  }
  char quote = literal[q];
  size_t open = literal.size() >= q + 6 && literal[q + 1] == quote && literal[q + 2] == quote ? 3 : 1;
  if (literal.size() < q + 2 * open) return std::nullopt;  // unterminated
  std::string_view body = literal.substr(q + open, literal.size() - q - 2 * open);
  if (literal.substr(literal.size() - open) != std::string_view(&literal[q], open)) return std::nullopt;
  if (formatted && body.find('{') != std::string_view::npos) return std::nullopt;
  return body;
}

}  // namespace trail::context
