#include "query/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace trail::query {
namespace {

std::vector<Token> Lex(std::string_view text) {
  Source source{text, "query"};
  StatusOr<std::vector<Token>> tokens = Tokenize(source);
  EXPECT_TRUE(tokens.ok()) << tokens.status().message();
  return tokens.ok() ? *tokens : std::vector<Token>{};
}

std::string LexError(std::string_view text) {
  StatusOr<std::vector<Token>> tokens = Tokenize(Source{text, "query"});
  EXPECT_FALSE(tokens.ok());
  if (tokens.ok()) return "";
  EXPECT_EQ(tokens.status().code(), Code::kInvalidArgument);
  return tokens.status().message();
}

// One letter per token kind, so a test states a whole token stream at once.
std::string Kinds(const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& token : tokens) {
    switch (token.kind) {
      case TokenKind::kWord:
        out += 'w';
        break;
      case TokenKind::kField:
        out += 'f';
        break;
      case TokenKind::kNumber:
        out += 'n';
        break;
      case TokenKind::kString:
        out += 's';
        break;
      case TokenKind::kOperator:
        out += 'o';
        break;
      case TokenKind::kLeftParen:
        out += '(';
        break;
      case TokenKind::kRightParen:
        out += ')';
        break;
      case TokenKind::kComma:
        out += ',';
        break;
      case TokenKind::kEnd:
        out += '$';
        break;
    }
  }
  return out;
}

TEST(LexerTest, EmptyInputIsJustEnd) {
  std::vector<Token> tokens = Lex("  \t\n");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kEnd);
  EXPECT_EQ(tokens[0].span.offset, 4u);
}

TEST(LexerTest, SplitsAQuery) {
  std::vector<Token> tokens = Lex("metrics.loss<0.3 and (params.opt IN ('a', \"b\"))");
  EXPECT_EQ(Kinds(tokens), "fonw(fw(s,s))$");
  EXPECT_EQ(tokens[0].text, "metrics");
  EXPECT_EQ(tokens[0].key, "loss");
  EXPECT_EQ(tokens[0].span.offset, 0u);
  EXPECT_EQ(tokens[0].span.length, 12u);
  EXPECT_EQ(tokens[1].text, "<");
  EXPECT_EQ(tokens[2].text, "0.3");
  EXPECT_EQ(std::get<double>(tokens[2].number), 0.3);
}

TEST(LexerTest, Operators) {
  std::vector<Token> tokens = Lex("= == != <> < <= > >=");
  std::vector<std::string> texts;
  for (const Token& token : tokens) texts.push_back(token.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"=", "==", "!=", "<>", "<", "<=", ">", ">=", ""}));
  EXPECT_EQ(Kinds(Lex("a>=-1")), "won$");
}

TEST(LexerTest, UnquotedKeysTakeDotsDashesAndSlashes) {
  std::vector<Token> tokens = Lex("params.train.lr metrics.layer-1 tags.eval/acc metrics.val_loss");
  EXPECT_EQ(tokens[0].key, "train.lr");
  EXPECT_EQ(tokens[1].key, "layer-1");
  EXPECT_EQ(tokens[2].key, "eval/acc");
  EXPECT_EQ(tokens[3].key, "val_loss");
}

TEST(LexerTest, KeysStopAtOperatorsAndSpace) {
  EXPECT_EQ(Kinds(Lex("metrics.a-b<=1")), "fon$");
  EXPECT_EQ(Lex("metrics.a-b<=1")[0].key, "a-b");
  EXPECT_EQ(Kinds(Lex("metrics.a -1")), "fn$");
  EXPECT_EQ(Kinds(Lex("min(metrics.a)")), "w(f)$");
  EXPECT_EQ(Kinds(Lex("params.x,params.y")), "f,f$");
}

TEST(LexerTest, QuotedKeys) {
  std::vector<Token> tokens = Lex("metrics.`val loss` params.\"a-b\" tags.`x``y` tags.\"q\\\"r\"");
  EXPECT_EQ(Kinds(tokens), "ffff$");
  EXPECT_EQ(tokens[0].key, "val loss");
  EXPECT_EQ(tokens[0].span.length, 18u);
  EXPECT_EQ(tokens[1].key, "a-b");
  EXPECT_EQ(tokens[2].key, "x`y");
  EXPECT_EQ(tokens[3].key, "q\"r");
}

TEST(LexerTest, Numbers) {
  std::vector<Token> tokens = Lex("1 -2.5 1e-3 .5 -.5 2E+2 1. 99999999999999999999");
  ASSERT_EQ(Kinds(tokens), "nnnnnnnn$");
  EXPECT_EQ(std::get<int64_t>(tokens[0].number), 1);
  EXPECT_EQ(std::get<double>(tokens[1].number), -2.5);
  EXPECT_EQ(std::get<double>(tokens[2].number), 1e-3);
  EXPECT_EQ(std::get<double>(tokens[3].number), 0.5);
  EXPECT_EQ(std::get<double>(tokens[4].number), -0.5);
  EXPECT_EQ(std::get<double>(tokens[5].number), 200.0);
  EXPECT_EQ(std::get<double>(tokens[6].number), 1.0);
  EXPECT_EQ(std::get<double>(tokens[7].number), 1e20);  // too big for int64_t
  EXPECT_EQ(tokens[1].text, "-2.5");
  EXPECT_EQ(tokens[2].text, "1e-3");
}

TEST(LexerTest, StringsDecodeEscapes) {
  std::vector<Token> tokens = Lex(R"('it''s' "say ""hi""" 'a\'b' "a\"b" 'back\\slash' 'tab\there' 'keep\_this\%')");
  ASSERT_EQ(Kinds(tokens), "sssssss$");
  EXPECT_EQ(tokens[0].text, "it's");
  EXPECT_EQ(tokens[1].text, "say \"hi\"");
  EXPECT_EQ(tokens[2].text, "a'b");
  EXPECT_EQ(tokens[3].text, "a\"b");
  EXPECT_EQ(tokens[4].text, "back\\slash");
  EXPECT_EQ(tokens[5].text, "tab\there");
  EXPECT_EQ(tokens[6].text, "keep\\_this\\%");  // unknown escapes stay for LIKE
  EXPECT_EQ(Lex("''")[0].text, "");
  EXPECT_EQ(Lex("'\\n\\r'")[0].text, "\n\r");
}

TEST(LexerTest, NonAsciiInsideStrings) {
  std::vector<Token> tokens = Lex("tags.who = 'Zoë'");
  EXPECT_EQ(tokens[2].text, "Zoë");
}

TEST(LexerTest, Errors) {
  EXPECT_EQ(LexError("tags.x = 'abc"), "bad query at column 10: unterminated string: no closing ' (near ''abc')");
  EXPECT_EQ(LexError("tags.x = \"abc\\\""),
            "bad query at column 10: unterminated string: no closing \" (near '\"abc\\\"')");
  EXPECT_EQ(LexError("metrics.`val loss"),
            "bad query at column 9: unterminated string: no closing ` (near '`val loss')");
  EXPECT_EQ(LexError("metrics. < 1"),
            "bad query at column 1: expected a key after 'metrics.'; quote a key with other "
            "characters, as in metrics.`val loss` (near 'metrics.')");
  EXPECT_EQ(LexError("metrics.``"), "bad query at column 1: empty key (near 'metrics.``')");
  EXPECT_EQ(LexError("metrics.loss < 1.2.3"), "bad query at column 16: malformed number (near '1.2.3')");
  EXPECT_EQ(LexError("metrics.loss < 1e"), "bad query at column 16: malformed number (near '1e')");
  EXPECT_EQ(LexError("metrics.loss < 1e+x"), "bad query at column 16: malformed number (near '1e')");
  EXPECT_EQ(LexError("metrics.loss < 12abc"), "bad query at column 16: malformed number (near '12abc')");
  EXPECT_EQ(LexError("metrics.loss < 1e999"), "bad query at column 16: number out of range (near '1e999')");
  EXPECT_EQ(LexError("metrics.loss ! 1"),
            "bad query at column 14: '!' is not an operator; use '!=' or 'not' (near '!')");
  EXPECT_EQ(LexError("a = 1 && b = 2"), "bad query at column 7: use 'and' instead of '&&' (near '&&')");
  EXPECT_EQ(LexError("a = 1 || b = 2"), "bad query at column 7: use 'or' instead of '||' (near '||')");
  EXPECT_EQ(LexError("a = 1 & b"), "bad query at column 7: unexpected character (near '&')");
  EXPECT_EQ(LexError("a = 1 | b"), "bad query at column 7: unexpected character (near '|')");
  EXPECT_EQ(LexError("a = 1;"), "bad query at column 6: unexpected character (near ';')");
  EXPECT_EQ(LexError("`loss` < 1"),
            "bad query at column 1: backticks quote a key after its prefix, as in "
            "metrics.`val loss` (near '`')");
  EXPECT_EQ(LexError("- 1"), "bad query at column 1: unexpected character (near '-')");
}

TEST(LexerTest, ColumnsCountCharactersNotBytes) {
  EXPECT_EQ(LexError("tags.x = 'é' ; 1"), "bad query at column 14: unexpected character (near ';')");
  EXPECT_EQ(LexError("tags.x = é"), "bad query at column 10: unexpected character (near 'é')");
}

TEST(LexerTest, MessagesStayOnOneLine) {
  EXPECT_EQ(LexError("tags.x = 'a\nb"), "bad query at column 10: unterminated string: no closing ' (near ''a\\nb')");
  EXPECT_EQ(LexError("a\x01"), "bad query at column 2: unexpected character (near '\\x01')");
  std::string long_text = "tags.x = '" + std::string(100, 'z');
  EXPECT_EQ(LexError(long_text),
            "bad query at column 10: unterminated string: no closing ' "
            "(near ''" +
                std::string(39, 'z') + "...')");
}

}  // namespace
}  // namespace trail::query
