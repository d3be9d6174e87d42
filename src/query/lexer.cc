#include "query/lexer.h"

#include <charconv>
#include <string_view>
#include <system_error>

namespace trail::query {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWordStart(char c) { return IsAlpha(c) || c == '_'; }
bool IsWordChar(char c) { return IsWordStart(c) || IsDigit(c); }
// Unquoted keys allow the separators people put in metric names: train.lr, layer-1, eval/acc.
bool IsKeyChar(char c) { return IsWordChar(c) || c == '.' || c == '/' || c == '-'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

class Lexer {
 public:
  explicit Lexer(const Source& source) : source_(source), text_(source.text) {}

  StatusOr<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    size_t pos = 0;
    while (true) {
      while (pos < text_.size() && IsSpace(text_[pos])) ++pos;
      if (pos == text_.size()) break;
      TRAIL_ASSIGN_OR_RETURN(Token token, Next(pos));
      pos = token.span.end();
      tokens.push_back(std::move(token));
    }
    Token end;
    end.span = {text_.size(), 0};
    tokens.push_back(std::move(end));
    return tokens;
  }

 private:
  char At(size_t pos) const { return pos < text_.size() ? text_[pos] : '\0'; }

  Status Error(size_t pos, size_t length, std::string_view detail) const {
    return SyntaxError(source_, {pos, length}, detail);
  }

  static Token Make(TokenKind kind, size_t pos, size_t length, std::string_view text) {
    Token token;
    token.kind = kind;
    token.span = {pos, length};
    token.text = std::string(text);
    return token;
  }

  StatusOr<Token> Next(size_t pos) {
    char c = text_[pos];
    char next = At(pos + 1);
    if (IsWordStart(c)) return Word(pos);
    if (StartsNumber(pos)) return Number(pos);
    if (c == '\'' || c == '"') {
      Token token = Make(TokenKind::kString, pos, 0, "");
      TRAIL_ASSIGN_OR_RETURN(size_t end, ReadQuoted(pos, &token.text));
      token.span.length = end - pos;
      return token;
    }
    switch (c) {
      case '(':
        return Make(TokenKind::kLeftParen, pos, 1, "(");
      case ')':
        return Make(TokenKind::kRightParen, pos, 1, ")");
      case ',':
        return Make(TokenKind::kComma, pos, 1, ",");
      case '=':
        return Operator(pos, next == '=' ? 2 : 1);
      case '<':
        return Operator(pos, next == '=' || next == '>' ? 2 : 1);
      case '>':
        return Operator(pos, next == '=' ? 2 : 1);
      case '!':
        if (next == '=') return Operator(pos, 2);
        return Error(pos, 1, "'!' is not an operator; use '!=' or 'not'");
      case '&':
        if (next == '&') return Error(pos, 2, "use 'and' instead of '&&'");
        break;
      case '|':
        if (next == '|') return Error(pos, 2, "use 'or' instead of '||'");
        break;
      case '`':
        return Error(pos, 1, "backticks quote a key after its prefix, as in metrics.`val loss`");
      default:
        break;
    }
    return Error(pos, CharLength(pos), "unexpected character");
  }

  // Bytes in the UTF-8 character at `pos`, so a message quotes the whole character.
  size_t CharLength(size_t pos) const {
    size_t length = 1;
    while (length < 4 && pos + length < text_.size() &&
           (static_cast<unsigned char>(text_[pos + length]) & 0xC0) == 0x80) {
      ++length;
    }
    return length;
  }

  Token Operator(size_t pos, size_t length) const {
    return Make(TokenKind::kOperator, pos, length, text_.substr(pos, length));
  }

  StatusOr<Token> Word(size_t pos) const {
    size_t end = pos;
    while (end < text_.size() && IsWordChar(text_[end])) ++end;
    if (At(end) == '.') return Field(pos, end);
    return Make(TokenKind::kWord, pos, end - pos, text_.substr(pos, end - pos));
  }

  StatusOr<Token> Field(size_t pos, size_t dot) const {
    std::string_view prefix = text_.substr(pos, dot - pos);
    Token token = Make(TokenKind::kField, pos, 0, prefix);
    size_t start = dot + 1;
    size_t end = start;
    if (At(start) == '`' || At(start) == '"') {
      TRAIL_ASSIGN_OR_RETURN(end, ReadQuoted(start, &token.key));
      if (token.key.empty()) return Error(pos, end - pos, "empty key");
    } else {
      while (end < text_.size() && IsKeyChar(text_[end])) ++end;
      if (end == start) {
        return Error(pos, start - pos,
                     "expected a key after '" + std::string(prefix) +
                         ".'; quote a key with other characters, as in metrics.`val loss`");
      }
      token.key = std::string(text_.substr(start, end - start));
    }
    token.span.length = end - pos;
    return token;
  }

  bool StartsNumber(size_t pos) const {
    char c = At(pos);
    if (c == '-') c = At(++pos);
    return IsDigit(c) || (c == '.' && IsDigit(At(pos + 1)));
  }

  StatusOr<Token> Number(size_t pos) const {
    size_t end = pos;
    if (At(end) == '-') ++end;
    bool is_real = false;
    while (IsDigit(At(end))) ++end;
    if (At(end) == '.') {
      is_real = true;
      ++end;
      while (IsDigit(At(end))) ++end;
    }
    if (At(end) == 'e' || At(end) == 'E') {
      is_real = true;
      size_t exponent = end + 1;
      if (At(exponent) == '+' || At(exponent) == '-') ++exponent;
      if (!IsDigit(At(exponent))) return MalformedNumber(pos);
      while (IsDigit(At(exponent))) ++exponent;
      end = exponent;
    }
    // 1abc or 1.2.3 is a typo, not a number followed by something else.
    if (IsWordChar(At(end)) || At(end) == '.') return MalformedNumber(pos);

    Token token = Make(TokenKind::kNumber, pos, end - pos, text_.substr(pos, end - pos));
    const char* first = text_.data() + pos;
    const char* last = text_.data() + end;
    if (!is_real) {
      int64_t value = 0;
      auto [ptr, ec] = std::from_chars(first, last, value);
      if (ec == std::errc() && ptr == last) {
        token.number = value;
        return token;
      }
      // Too big for int64_t: still a fine number as a double.
    }
    double value = 0;
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last) return Error(pos, end - pos, "number out of range");
    token.number = value;
    return token;
  }

  Status MalformedNumber(size_t pos) const {
    size_t end = pos + 1;
    while (end < text_.size() && IsKeyChar(text_[end])) ++end;
    return Error(pos, end - pos, "malformed number");
  }

  // Decodes the quoted text starting at `pos` (the opening quote) into `out`; returns the offset
  // just past the closing quote.
  StatusOr<size_t> ReadQuoted(size_t pos, std::string* out) const {
    char quote = text_[pos];
    size_t i = pos + 1;
    while (i < text_.size()) {
      char c = text_[i];
      if (c == quote) {
        if (At(i + 1) != quote) return i + 1;
        *out += quote;  // SQL style: a doubled quote stands for itself
        i += 2;
      } else if (c == '\\' && i + 1 < text_.size()) {
        char escaped = text_[i + 1];
        switch (escaped) {
          case 'n':
            *out += '\n';
            break;
          case 't':
            *out += '\t';
            break;
          case 'r':
            *out += '\r';
            break;
          case '\\':
          case '\'':
          case '"':
          case '`':
            *out += escaped;
            break;
          default:
            // Kept as written so LIKE patterns can escape % and _ with a single backslash.
            *out += '\\';
            *out += escaped;
            break;
        }
        i += 2;
      } else {
        *out += c;
        ++i;
      }
    }
    return Error(pos, text_.size() - pos, std::string("unterminated string: no closing ") + quote);
  }

  const Source& source_;
  std::string_view text_;
};

}  // namespace

StatusOr<std::vector<Token>> Tokenize(const Source& source) { return Lexer(source).Run(); }

}  // namespace trail::query
