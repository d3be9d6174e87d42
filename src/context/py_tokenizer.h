// A Python tokenizer for scanning training programs without running them.
//
// It knows what decides where code is and where it is not: comments, every
// string literal form (quotes, triple quotes, r/b/u/f/t prefixes in any
// case and order, f-string replacement fields with nested strings, which
// Python 3.12 allows to reuse the outer quote), backslash line
// continuation, and bracket nesting, inside which line ends do not end a
// statement. It does not build a syntax tree and never fails: bad input
// (an unterminated string, a stray closing bracket, a NUL byte) is noted in
// `error` and lexing goes on as Python's own recovery would suggest, so a
// broken file still yields its good parts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trail::context {

enum class TokenKind : uint8_t {
  kName,     // identifiers and keywords
  kNumber,   // 1, 0.5, 1e-4, 0x1F, 1_000, 3j
  kString,   // one literal with its prefix and quotes
  kOp,       // operators and brackets: longest match ("==", "**=", "->", ":=", "...")
  kNewline,  // the end of a logical line (not inside brackets, not after '\')
};

// A token refers to its text by offset so it stays valid when the source
// string that holds it is moved.
struct Token {
  TokenKind kind;
  uint32_t begin = 0;  // byte offset in the source
  uint32_t size = 0;
  uint32_t line = 0;  // 1-based line of its first byte
  // Bracket nesting outside this token: an opening and its closing bracket
  // have the same depth; the tokens between them have more.
  uint32_t depth = 0;
};

struct TokenizedSource {
  std::vector<Token> tokens;  // ends with a kNewline whenever there is any token
  // The first problem met, "line N: why", or empty for a clean file.
  std::string error;
};

// Tokenizes Python source (UTF-8 or any ASCII-compatible bytes; a leading
// BOM is skipped). Indentation is not reported: scanners here care about
// statements and expressions, not blocks.
TokenizedSource Tokenize(std::string_view source);

inline std::string_view TokenText(std::string_view source, const Token& t) { return source.substr(t.begin, t.size); }

// The text between the quotes of a string token whose value is fixed and
// textual: plain, r and u strings, and f strings without replacement fields.
// Escapes are left as written (the values that matter here are identifiers).
// nullopt for bytes literals and f strings with fields.
std::optional<std::string_view> StringLiteralValue(std::string_view literal);

}  // namespace trail::context
