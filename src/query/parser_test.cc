#include "query/parser.h"

#include <gtest/gtest.h>

#include <string>

namespace trail::query {
namespace {

std::string Tree(std::string_view text) {
  StatusOr<ExprPtr> expr = ParseCondition(Source{text, "query"});
  EXPECT_TRUE(expr.ok()) << expr.status().message();
  return expr.ok() ? ToString(**expr) : "";
}

std::string ParseError(std::string_view text) {
  StatusOr<ExprPtr> expr = ParseCondition(Source{text, "query"});
  EXPECT_FALSE(expr.ok()) << ToString(**expr);
  if (expr.ok()) return "";
  EXPECT_EQ(expr.status().code(), Code::kInvalidArgument);
  return expr.status().message();
}

TEST(ParserTest, Comparisons) {
  EXPECT_EQ(Tree("metrics.loss < 0.3"), "(< metric:loss 0.3)");
  EXPECT_EQ(Tree("params.opt = 'adam'"), "(= param:opt \"adam\")");
  EXPECT_EQ(Tree("params.opt == 'adam'"), "(= param:opt \"adam\")");
  EXPECT_EQ(Tree("tags.stage != 'draft'"), "(!= tag:stage \"draft\")");
  EXPECT_EQ(Tree("tags.stage <> 'draft'"), "(!= tag:stage \"draft\")");
  EXPECT_EQ(Tree("metrics.a <= 1"), "(<= metric:a 1)");
  EXPECT_EQ(Tree("metrics.a > -1"), "(> metric:a -1)");
  EXPECT_EQ(Tree("metrics.a >= 1e-3"), "(>= metric:a 1e-3)");
  EXPECT_EQ(Tree("archived = TRUE"), "(= attr:archived true)");
  EXPECT_EQ(Tree("archived = False"), "(= attr:archived false)");
}

TEST(ParserTest, LikeInAndNullTests) {
  EXPECT_EQ(Tree("tags.x LIKE 'a%'"), "(like tag:x \"a%\")");
  EXPECT_EQ(Tree("tags.x not like 'a%'"), "(not-like tag:x \"a%\")");
  EXPECT_EQ(Tree("tags.x ILike 'a%'"), "(ilike tag:x \"a%\")");
  EXPECT_EQ(Tree("tags.x NOT ILIKE 'a%'"), "(not-ilike tag:x \"a%\")");
  EXPECT_EQ(Tree("params.opt IN ('adam', 1, true)"), "(in param:opt \"adam\" 1 true)");
  EXPECT_EQ(Tree("params.opt not in ('sgd')"), "(not-in param:opt \"sgd\")");
  EXPECT_EQ(Tree("metrics.x IS NULL"), "(is-null metric:x)");
  EXPECT_EQ(Tree("metrics.x is not null"), "(is-not-null metric:x)");
}

TEST(ParserTest, Precedence) {
  EXPECT_EQ(Tree("metrics.a < 1 and metrics.b < 2 or metrics.c < 3"),
            "(or (and (< metric:a 1) (< metric:b 2)) (< metric:c 3))");
  EXPECT_EQ(Tree("metrics.a < 1 or metrics.b < 2 and metrics.c < 3"),
            "(or (< metric:a 1) (and (< metric:b 2) (< metric:c 3)))");
  EXPECT_EQ(Tree("not metrics.a < 1 and metrics.b < 2"), "(and (not (< metric:a 1)) (< metric:b 2))");
  EXPECT_EQ(Tree("not (metrics.a < 1 or metrics.b < 2)"), "(not (or (< metric:a 1) (< metric:b 2)))");
  EXPECT_EQ(Tree("(metrics.a < 1 or metrics.b < 2) and metrics.c < 3"),
            "(and (or (< metric:a 1) (< metric:b 2)) (< metric:c 3))");
  EXPECT_EQ(Tree("not not status = 'x'"), "(not (not (= attr:status \"x\")))");
  EXPECT_EQ(Tree("((status = 'x'))"), "(= attr:status \"x\")");
}

TEST(ParserTest, ChainsStayFlat) {
  EXPECT_EQ(Tree("number = 1 AND number = 2 And number = 3"),
            "(and (= attr:number 1) (= attr:number 2) (= attr:number 3))");
  EXPECT_EQ(Tree("number = 1 or number = 2 OR number = 3"),
            "(or (= attr:number 1) (= attr:number 2) (= attr:number 3))");
}

TEST(ParserTest, Fields) {
  EXPECT_EQ(Tree("metric.a = 1"), "(= metric:a 1)");
  EXPECT_EQ(Tree("METRICS.a = 1"), "(= metric:a 1)");
  EXPECT_EQ(Tree("param.a = 1"), "(= param:a 1)");
  EXPECT_EQ(Tree("tag.a = 1"), "(= tag:a 1)");
  EXPECT_EQ(Tree("attributes.status = 'x'"), "(= attr:status \"x\")");
  EXPECT_EQ(Tree("attribute.run_id = 'x'"), "(= attr:run_id \"x\")");
  EXPECT_EQ(Tree("attr.`commit` = 'x'"), "(= attr:commit \"x\")");
  EXPECT_EQ(Tree("Status = 'x'"), "(= attr:status \"x\")");
  EXPECT_EQ(Tree("metrics.`val loss` < 1"), "(< metric:val loss 1)");
  EXPECT_EQ(Tree("params.\"a-b\" = 1"), "(= param:a-b 1)");
  EXPECT_EQ(Tree("params.a.b = 1"), "(= param:a.b 1)");
}

// MLflow's meanings (mlflow_forms.h): statuses in any case, times in milliseconds.
TEST(ParserTest, MlflowForms) {
  EXPECT_EQ(Tree("attributes.status = 'FINISHED'"), "(= attr:status \"finished\")");
  EXPECT_EQ(Tree("status IN ('Failed', 'KILLED')"), "(in attr:status \"failed\" \"killed\")");
  EXPECT_EQ(Tree("status LIKE 'FIN%'"), "(ilike attr:status \"FIN%\")");
  EXPECT_EQ(Tree("attributes.user = 'ANN'"), "(= attr:user \"ANN\")");  // only status folds
  EXPECT_EQ(Tree("attributes.start_time > 1764000000000"), "(> attr:start_time 1764000000)");
  EXPECT_EQ(Tree("start_time > 1764000000123"), "(> attr:start_time 1764000000.123)");
  EXPECT_EQ(Tree("started > 1764000000"), "(> attr:started 1764000000)");  // seconds stay seconds
  EXPECT_EQ(Tree("end_time IN (1764000000000, 5)"), "(in attr:end_time 1764000000 5)");
  EXPECT_EQ(Tree("number > 1764000000000"), "(> attr:number 1764000000000)");  // not a time
  EXPECT_EQ(Tree("start_time > '2026-11-01'"), "(> attr:start_time \"2026-11-01\")");
}

TEST(ParserTest, MetricStats) {
  EXPECT_EQ(Tree("min(metrics.loss) < 1"), "(< min(metric:loss) 1)");
  EXPECT_EQ(Tree("MAX(metric.loss) < 1"), "(< max(metric:loss) 1)");
  EXPECT_EQ(Tree("count(metrics.loss) > 1"), "(> count(metric:loss) 1)");
  EXPECT_EQ(Tree("last(metrics.loss) < 1"), "(< metric:loss 1)");
  EXPECT_EQ(Tree("min( metrics.`a b` ) < 1"), "(< min(metric:a b) 1)");
}

TEST(ParserTest, SortKeys) {
  StatusOr<SortKey> key = ParseSortKey(Source{"min(metrics.loss)", "sort key"});
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(ToString(key->field), "min(metric:loss)");
  EXPECT_FALSE(key->descending.has_value());

  key = ParseSortKey(Source{"started DESC", "sort key"});
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(ToString(key->field), "attr:started");
  EXPECT_EQ(key->descending, true);

  key = ParseSortKey(Source{"params.lr asc", "sort key"});
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->descending, false);
}

TEST(ParserTest, MissingPieces) {
  EXPECT_EQ(ParseError(""),
            "bad query at column 1: expected a condition such as metrics.loss < 0.5 "
            "(at end of query)");
  EXPECT_EQ(ParseError("metrics.loss < and"), "bad query at column 16: expected a value after '<' (near 'and')");
  EXPECT_EQ(ParseError("metrics.loss <"), "bad query at column 15: expected a value after '<' (at end of query)");
  EXPECT_EQ(ParseError("params.opt = adam"),
            "bad query at column 14: expected a value after '='; put text in quotes "
            "(near 'adam')");
  EXPECT_EQ(ParseError("params.opt = params.other"),
            "bad query at column 14: expected a value after '=' (near 'params.other')");
  EXPECT_EQ(ParseError("params.opt = null"),
            "bad query at column 14: use IS NULL or IS NOT NULL to test for a missing value "
            "(near 'null')");
  EXPECT_EQ(ParseError("metrics.loss"),
            "bad query at column 13: expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN "
            "or IS) after 'metrics.loss' (at end of query)");
  EXPECT_EQ(ParseError("metrics.loss 1"),
            "bad query at column 14: expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN "
            "or IS) after 'metrics.loss' (near '1')");
}

TEST(ParserTest, BadStructure) {
  EXPECT_EQ(ParseError("metrics.a < 1 metrics.b < 2"),
            "bad query at column 15: expected AND or OR between conditions (near 'metrics.b')");
  EXPECT_EQ(ParseError("metrics.a < 1)"), "bad query at column 14: unmatched ')' (near ')')");
  EXPECT_EQ(ParseError("(metrics.a < 1"),
            "bad query at column 15: expected ')' to close the '(' at column 1 "
            "(at end of query)");
  EXPECT_EQ(ParseError("()"), "bad query at column 2: expected a condition after '(' (near ')')");
  EXPECT_EQ(ParseError("metrics.a < 1 and"),
            "bad query at column 18: expected a condition after 'and' (at end of query)");
  EXPECT_EQ(ParseError("metrics.a < 1 or or metrics.b < 1"),
            "bad query at column 18: expected a condition after 'or' (near 'or')");
  EXPECT_EQ(ParseError("not"),
            "bad query at column 4: expected a condition after 'not' "
            "(at end of query)");
  EXPECT_EQ(ParseError("and metrics.a < 1"),
            "bad query at column 1: expected a field such as metrics.loss, params.lr or status "
            "(near 'and')");
  EXPECT_EQ(ParseError("1 < metrics.a"),
            "bad query at column 1: expected a field such as metrics.loss, params.lr or status "
            "(near '1')");
}

TEST(ParserTest, BadOperators) {
  EXPECT_EQ(ParseError("tags.x not = 'a'"),
            "bad query at column 12: expected LIKE, ILIKE or IN after 'not' (near '=')");
  EXPECT_EQ(ParseError("tags.x like 5"), "bad query at column 13: expected a quoted pattern after 'like' (near '5')");
  EXPECT_EQ(ParseError("tags.x is 5"), "bad query at column 11: expected NULL or NOT NULL after 'is' (near '5')");
  EXPECT_EQ(ParseError("tags.x is not"),
            "bad query at column 14: expected NULL or NOT NULL after 'is' (at end of query)");
  EXPECT_EQ(ParseError("tags.x in 'a'"), "bad query at column 11: expected '(' after 'in' (near ''a'')");
  EXPECT_EQ(ParseError("tags.x in ()"), "bad query at column 12: expected a value after '(' (near ')')");
  EXPECT_EQ(ParseError("tags.x in ('a' 'b')"),
            "bad query at column 16: expected ',' or ')' in the list after 'in' (near ''b'')");
  EXPECT_EQ(ParseError("tags.x in ('a',)"), "bad query at column 16: expected a value after ',' (near ')')");
  EXPECT_EQ(ParseError("tags.x in ('a'"),
            "bad query at column 15: expected ',' or ')' in the list after 'in' "
            "(at end of query)");
}

TEST(ParserTest, BadNames) {
  EXPECT_EQ(ParseError("foo.x = 1"),
            "bad query at column 1: unknown prefix 'foo.'; use metrics., params., tags. or "
            "attributes. (near 'foo.x')");
  EXPECT_EQ(ParseError("loss < 1"),
            "bad query at column 1: unknown attribute 'loss'; write metrics.loss, params.loss or "
            "tags.loss for a recorded value, or use one of: id, run_id, name, run_name, number, "
            "uid, status, user, started, start_time, ended, end_time, duration, duration_s, "
            "exit_code, command, host, parent, archived, branch, commit (near 'loss')");
  EXPECT_EQ(ParseError("attributes.colour = 'x'"),
            "bad query at column 1: unknown attribute 'colour'; attributes are id, run_id, name, "
            "run_name, number, uid, status, user, started, start_time, ended, end_time, duration, "
            "duration_s, exit_code, command, host, parent, archived, branch, commit "
            "(near 'attributes.colour')");
  EXPECT_EQ(ParseError("median(metrics.a) < 1"),
            "bad query at column 1: unknown function 'median'; use min, max, count or last "
            "(near 'median')");
  EXPECT_EQ(ParseError("min(params.a) < 1"), "bad query at column 5: min() applies to metrics only (near 'params.a')");
  EXPECT_EQ(ParseError("min(loss) < 1"),
            "bad query at column 5: expected a metric such as metrics.loss after 'min(' "
            "(near 'loss')");
  EXPECT_EQ(ParseError("min(metrics.a < 1"), "bad query at column 15: expected ')' after 'metrics.a' (near '<')");
  EXPECT_EQ(ParseError("min(foo.a) < 1"),
            "bad query at column 5: unknown prefix 'foo.'; use metrics., params., tags. or "
            "attributes. (near 'foo.a')");
}

TEST(ParserTest, LexErrorsPassThrough) {
  EXPECT_EQ(ParseError("tags.x = 'a"), "bad query at column 10: unterminated string: no closing ' (near ''a')");
}

TEST(ParserTest, NestingIsBounded) {
  std::string ok;
  for (int i = 0; i < kMaxNesting - 1; ++i) ok += "(";
  ok += "status = 'x'";
  for (int i = 0; i < kMaxNesting - 1; ++i) ok += ")";
  EXPECT_EQ(Tree(ok), "(= attr:status \"x\")");

  std::string limit = "(the limit is " + std::to_string(kMaxNesting) + " levels)";
  std::string deep;
  for (int i = 0; i < kMaxNesting; ++i) deep += "not ";
  deep += "status = 'x'";
  EXPECT_EQ(ParseError(deep), "bad query at column " + std::to_string(4 * kMaxNesting + 1) +
                                  ": conditions nested too deeply " + limit + " (near 'status')");

  std::string parens(100000, '(');
  EXPECT_EQ(ParseError(parens), "bad query at column " + std::to_string(kMaxNesting + 1) +
                                    ": conditions nested too deeply " + limit + " (near '(')");
}

TEST(ParserTest, NodesKnowTheirText) {
  std::string text = "not (status = 'x' or tags.a in (1, 2)) and metrics.b is null";
  StatusOr<ExprPtr> expr = ParseCondition(Source{text, "query"});
  ASSERT_TRUE(expr.ok()) << expr.status().message();
  auto slice = [&](Span span) { return text.substr(span.offset, span.length); };
  EXPECT_EQ(slice((*expr)->span), text);
  const auto& junction = std::get<Junction>((*expr)->node);
  EXPECT_EQ(slice(junction.terms[0]->span), "not (status = 'x' or tags.a in (1, 2))");
  EXPECT_EQ(slice(junction.terms[1]->span), "metrics.b is null");
  const auto& negation = std::get<Negation>(junction.terms[0]->node);
  EXPECT_EQ(slice(negation.operand->span), "(status = 'x' or tags.a in (1, 2))");
  const auto& inner = std::get<Junction>(negation.operand->node);
  EXPECT_EQ(slice(inner.terms[0]->span), "status = 'x'");
  EXPECT_EQ(slice(inner.terms[1]->span), "tags.a in (1, 2)");
}

TEST(ParserTest, SortKeyErrors) {
  auto error = [](std::string_view text) {
    StatusOr<SortKey> key = ParseSortKey(Source{text, "sort key"});
    EXPECT_FALSE(key.ok());
    return key.ok() ? std::string() : key.status().message();
  };
  EXPECT_EQ(error(""),
            "bad sort key at column 1: expected a field to sort by, such as "
            "metrics.loss (at end of sort key)");
  EXPECT_EQ(error("metrics.loss < 1"),
            "bad sort key at column 14: expected the end of the sort key: one field, then "
            "optionally ASC or DESC (near '<')");
  EXPECT_EQ(error("metrics.loss desc desc"),
            "bad sort key at column 19: expected the end of the sort key: one field, then "
            "optionally ASC or DESC (near 'desc')");
  EXPECT_EQ(error("bogus"), error("bogus"));
  EXPECT_EQ(error("bogus").substr(0, 53), "bad sort key at column 1: unknown attribute 'bogus'; ");
}

}  // namespace
}  // namespace trail::query
