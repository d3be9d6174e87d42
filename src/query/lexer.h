// Splits query text into tokens.
//
// A field such as metrics.val_loss or params.`a b` is one token: the characters allowed after
// the dot (dots, dashes, slashes) mean something else elsewhere, so only the lexer, which sees
// the word run straight into the dot, can tell where the key ends.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "query/source.h"
#include "trail/status.h"

namespace trail::query {

enum class TokenKind {
  kWord,      // and, status, min, true: `text` as written
  kField,     // prefix.key: `text` is the prefix as written, `key` the decoded key
  kNumber,    // `text` as written, `number` its value
  kString,    // `text` is the decoded contents
  kOperator,  // = == != <> < <= > >=: `text` as written
  kLeftParen,
  kRightParen,
  kComma,
  kEnd,  // end of input; its span is empty and starts at the end of the text
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  Span span;
  std::string text;
  std::string key;
  std::variant<int64_t, double> number;  // int64_t unless written with '.' or an exponent
};

// Tokens of the whole text, always ending with one kEnd token; or the first lexical error.
StatusOr<std::vector<Token>> Tokenize(const Source& source);

}  // namespace trail::query
