#include "context/py_tokenizer.h"

#include <gtest/gtest.h>

#include <random>

namespace trail::context {
namespace {

// "kind:text" for each token, newlines as "NL".
std::vector<std::string> Lex(std::string_view src) {
  std::vector<std::string> out;
  for (const Token& t : Tokenize(src).tokens) {
    switch (t.kind) {
      case TokenKind::kName:
        out.push_back("N:" + std::string(TokenText(src, t)));
        break;
      case TokenKind::kNumber:
        out.push_back("#:" + std::string(TokenText(src, t)));
        break;
      case TokenKind::kString:
        out.push_back("S:" + std::string(TokenText(src, t)));
        break;
      case TokenKind::kOp:
        out.push_back("O:" + std::string(TokenText(src, t)));
        break;
      case TokenKind::kNewline:
        out.push_back("NL");
        break;
    }
  }
  return out;
}

using V = std::vector<std::string>;

TEST(PyTokenizerTest, NamesNumbersOperators) {
  EXPECT_EQ(Lex("x = a.b(1e-4, 0x1F, 1_000, .5, 3j) ** 2\n"),
            (V{"N:x", "O:=", "N:a", "O:.", "N:b", "O:(", "#:1e-4", "O:,", "#:0x1F", "O:,", "#:1_000", "O:,", "#:.5",
               "O:,", "#:3j", "O:)", "O:**", "#:2", "NL"}));
  EXPECT_EQ(Lex("a==b!=c<=d->e:=f//=g...\n"), (V{"N:a", "O:==", "N:b", "O:!=", "N:c", "O:<=", "N:d", "O:->", "N:e",
                                                 "O::=", "N:f", "O://=", "N:g", "O:...", "NL"}));
}

TEST(PyTokenizerTest, CommentsAreDropped) {
  EXPECT_EQ(Lex("x = 1  # loss='mse' nn.ReLU()\n# whole line\ny"), (V{"N:x", "O:=", "#:1", "NL", "N:y", "NL"}));
}

TEST(PyTokenizerTest, StringForms) {
  EXPECT_EQ(Lex(R"(a = 'x' "y" r'\d' b"z" Rb'q' f"{v}" u'w' BR"p" t'k')"),
            (V{"N:a", "O:=", "S:'x'", R"(S:"y")", R"(S:r'\d')", R"(S:b"z")", "S:Rb'q'", R"(S:f"{v}")", "S:u'w'",
               R"(S:BR"p")", "S:t'k'", "NL"}));
  // Escaped quotes, and a raw string's backslash before a quote.
  EXPECT_EQ(Lex(R"(s = 'it\'s # not a comment' + r"\"" )"),
            (V{"N:s", "O:=", R"(S:'it\'s # not a comment')", "O:+", R"(S:r"\"")", "NL"}));
  // A name that merely starts with prefix letters is a name.
  EXPECT_EQ(Lex("fr = rb + bu"), (V{"N:fr", "O:=", "N:rb", "O:+", "N:bu", "NL"}));
}

TEST(PyTokenizerTest, TripleQuotedStringsSpanLines) {
  std::string src =
      "def f():\n    \"\"\"Uses nn.ReLU and optimizer='adam'.\n\n    import torch\n    \"\"\"\n    return '''x'''\n";
  V lex = Lex(src);
  ASSERT_EQ(lex.size(), 11u);
  EXPECT_EQ(lex[6].substr(0, 5), "S:\"\"\"");
  EXPECT_EQ(lex[7], "NL");
  EXPECT_EQ(lex[8], "N:return");
  EXPECT_EQ(lex[9], "S:'''x'''");
  TokenizedSource t = Tokenize(src);
  EXPECT_EQ(t.tokens[6].line, 2u);
  EXPECT_EQ(t.tokens[8].line, 6u);
  EXPECT_EQ(t.error, "");
}

TEST(PyTokenizerTest, FStringFieldsHoldStrings) {
  // Python 3.12 lets a field reuse the outer quote.
  EXPECT_EQ(Lex(R"(x = f"{d["loss"]}" + f'{a:>{w}}' + f"{'#'}" + f"{{not a field}}")"),
            (V{"N:x", "O:=", R"(S:f"{d["loss"]}")", "O:+", "S:f'{a:>{w}}'", "O:+", R"(S:f"{'#'}")", "O:+",
               R"(S:f"{{not a field}}")", "NL"}));
  EXPECT_EQ(Lex("x = f'''{\n  y\n}''' ; z"), (V{"N:x", "O:=", "S:f'''{\n  y\n}'''", "O:;", "N:z", "NL"}));
  // A format spec may contain the other quote.
  EXPECT_EQ(Lex(R"(f"{x:'^10}" y)"), (V{R"(S:f"{x:'^10}")", "N:y", "NL"}));
}

TEST(PyTokenizerTest, LineContinuationAndBrackets) {
  EXPECT_EQ(Lex("x = 1 + \\\n    2\ny = (1,\n     2)\n"),
            (V{"N:x", "O:=", "#:1", "O:+", "#:2", "NL", "N:y", "O:=", "O:(", "#:1", "O:,", "#:2", "O:)", "NL"}));
  TokenizedSource t = Tokenize("f(a, [b, {c: d}])\n");
  std::vector<uint32_t> depths;
  for (const Token& tok : t.tokens) depths.push_back(tok.depth);
  //                f  (  a  ,  [  b  ,  {  c  :  d  }  ]  )  NL
  EXPECT_EQ(depths, (std::vector<uint32_t>{0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 2, 1, 0, 0}));
}

TEST(PyTokenizerTest, CrLfAndBom) {
  EXPECT_EQ(Lex("\xEF\xBB\xBFimport os\r\nx = 1\r\n"), (V{"N:import", "N:os", "NL", "N:x", "O:=", "#:1", "NL"}));
  TokenizedSource t = Tokenize("a\r\nb\rc\n");
  EXPECT_EQ(t.tokens[2].line, 2u);
  EXPECT_EQ(t.tokens[4].line, 3u);
}

TEST(PyTokenizerTest, BadInputIsReportedAndLexingGoesOn) {
  TokenizedSource t = Tokenize("x = 'open\ny = 2\n");
  EXPECT_EQ(t.error, "line 1: unterminated string");
  EXPECT_EQ(Lex("x = 'open\ny = 2\n"), (V{"N:x", "O:=", "S:'open", "NL", "N:y", "O:=", "#:2", "NL"}));
  EXPECT_EQ(Tokenize("s = '''never closed\nimport torch\n").error, "line 3: unterminated triple-quoted string");
  EXPECT_EQ(Tokenize("x = )\n").error, "line 1: unmatched ')'");
  EXPECT_EQ(Tokenize("f(\n").error, "line 2: unclosed bracket at end of file");
  EXPECT_EQ(Tokenize(std::string_view("a\0b", 3)).error, "line 1: NUL byte");
  EXPECT_EQ(Tokenize("x = 1 \\ y").error, "line 1: stray '\\'");
}

TEST(PyTokenizerTest, StringLiteralValue) {
  EXPECT_EQ(StringLiteralValue("'mse'"), "mse");
  EXPECT_EQ(StringLiteralValue("\"relu\""), "relu");
  EXPECT_EQ(StringLiteralValue("r'l2'"), "l2");
  EXPECT_EQ(StringLiteralValue("'''adam'''"), "adam");
  EXPECT_EQ(StringLiteralValue("''"), "");
  EXPECT_EQ(StringLiteralValue("f'adam'"), "adam");
  EXPECT_EQ(StringLiteralValue("f'{opt}'"), std::nullopt);
  EXPECT_EQ(StringLiteralValue("b'adam'"), std::nullopt);
  EXPECT_EQ(StringLiteralValue("'unterminated"), std::nullopt);
}

// Random bytes drawn from Python's punctuation: never a crash, tokens
// always inside the source, depths never negative (wrapped).
TEST(PyTokenizerTest, RandomInputStaysInBounds) {
  std::mt19937 rng(42);
  const std::string alphabet = "abfrFRB_09 .()[]{}'\"\\#\n\r:=,{}xe-+\t";
  for (int round = 0; round < 2000; ++round) {
    std::string src;
    size_t len = rng() % 80;
    for (size_t i = 0; i < len; ++i) src.push_back(alphabet[rng() % alphabet.size()]);
    TokenizedSource t = Tokenize(src);
    for (const Token& tok : t.tokens) {
      ASSERT_LE(tok.begin + tok.size, src.size()) << src;
      ASSERT_LT(tok.depth, 1000u) << src;
    }
  }
}

}  // namespace
}  // namespace trail::context
