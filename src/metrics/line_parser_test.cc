#include "metrics/line_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace trail::metrics {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr double kLineNow = 1000.0;

// Parses `lines` in order with one parser; fails the test on a rejected line.
MetricSet ParseAll(const std::vector<std::string>& lines) {
  MetricSet set;
  LineParser parser;
  for (const std::string& line : lines) {
    StatusOr<int> r = parser.Parse(line, kLineNow, set);
    EXPECT_TRUE(r.ok()) << line << ": " << r.status().message();
  }
  return set;
}

std::vector<int64_t> Steps(const MetricSet& set, std::string_view key) {
  std::vector<int64_t> steps;
  if (const auto* s = set.Series(key)) {
    for (const Point& p : *s) steps.push_back(p.step);
  }
  return steps;
}

std::vector<double> Values(const MetricSet& set, std::string_view key) {
  std::vector<double> values;
  if (const auto* s = set.Series(key)) {
    for (const Point& p : *s) values.push_back(p.value);
  }
  return values;
}

// The reason a line is rejected, checking that it added nothing.
std::string Reject(std::string_view line) {
  MetricSet set;
  LineParser parser;
  StatusOr<int> r = parser.Parse(line, kLineNow, set);
  EXPECT_FALSE(r.ok()) << line;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(set.TotalPoints(), 0) << line;
  EXPECT_TRUE(set.Keys().empty()) << line;
  return r.status().message();
}

TEST(LineParserTest, TypicalLine) {
  MetricSet set;
  LineParser parser;
  StatusOr<int> r = parser.Parse(R"({"step": 3, "loss": 0.21, "val_loss": 0.25})", kLineNow, set);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, 2);
  EXPECT_THAT(set.Keys(), ElementsAre("loss", "val_loss"));
  const auto* loss = set.Series("loss");
  ASSERT_NE(loss, nullptr);
  ASSERT_EQ(loss->size(), 1u);
  EXPECT_EQ((*loss)[0].step, 3);
  EXPECT_EQ((*loss)[0].time, kLineNow);
  EXPECT_EQ((*loss)[0].value, 0.21);
  EXPECT_THAT(Values(set, "val_loss"), ElementsAre(0.25));
}

TEST(LineParserTest, StepMayComeLast) {
  MetricSet set = ParseAll({R"({"loss": 1.5, "step": 7})"});
  EXPECT_THAT(Steps(set, "loss"), ElementsAre(7));
  EXPECT_THAT(set.Keys(), ElementsAre("loss"));
}

TEST(LineParserTest, StepForms) {
  MetricSet set = ParseAll({R"({"step": 3.0, "a": 1})", R"({"step": 1e3, "a": 2})", R"({"step": -5, "a": 3})",
                            R"({"step": 9223372036854775807, "a": 4})", R"({"step": -9223372036854775808, "a": 5})",
                            R"({"step": 0, "a": 6})"});
  EXPECT_THAT(Steps(set, "a"),
              ElementsAre(3, 1000, -5, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), 0));
}

TEST(LineParserTest, EpochIsTheStepWhenStepIsAbsent) {
  MetricSet set = ParseAll({R"({"epoch": 2, "acc": 0.5})", R"({"acc": 0.75, "epoch": 3})"});
  EXPECT_THAT(set.Keys(), ElementsAre("acc"));
  EXPECT_THAT(Steps(set, "acc"), ElementsAre(2, 3));
  EXPECT_THAT(Values(set, "acc"), ElementsAre(0.5, 0.75));
}

TEST(LineParserTest, EpochIsAMetricWhenStepIsPresent) {
  MetricSet set = ParseAll({R"({"step": 10, "epoch": 1, "acc": 0.5})", R"({"step": 20, "epoch": 1.5, "acc": 0.6})"});
  EXPECT_THAT(set.Keys(), ElementsAre("epoch", "acc"));
  EXPECT_THAT(Steps(set, "epoch"), ElementsAre(10, 20));
  EXPECT_THAT(Values(set, "epoch"), ElementsAre(1, 1.5));
}

TEST(LineParserTest, AutoStepsCountPerMetric) {
  MetricSet set = ParseAll({R"({"loss": 1})", R"({"loss": 2, "acc": 3})", R"({"loss": 4})", R"({"acc": 5})"});
  EXPECT_THAT(Steps(set, "loss"), ElementsAre(0, 1, 2));
  EXPECT_THAT(Steps(set, "acc"), ElementsAre(0, 1));
  EXPECT_THAT(Values(set, "loss"), ElementsAre(1, 2, 4));
}

TEST(LineParserTest, TimeKeys) {
  MetricSet set = ParseAll({
      R"({"step": 1, "time": 1700000000.5, "x": 1})", R"({"step": 2, "timestamp": 1700000001.25, "x": 2})",
      R"({"step": 3, "timestamp": 5, "time": 6, "x": 3})",      // time wins
      R"({"step": 4, "time": "2024-01-01T00:00:00", "x": 4})",  // not a number: now
      R"({"step": 5, "time": NaN, "x": 5})",                    // not finite: now
      R"({"step": 6, "time": 1700000002, "x": 6})",             // integer time
  });
  EXPECT_THAT(set.Keys(), ElementsAre("x"));
  const auto* x = set.Series("x");
  ASSERT_NE(x, nullptr);
  std::vector<double> times;
  for (const Point& p : *x) times.push_back(p.time);
  EXPECT_THAT(times, ElementsAre(1700000000.5, 1700000001.25, 6, kLineNow, kLineNow, 1700000002));
}

TEST(LineParserTest, NonFiniteTokens) {
  MetricSet set = ParseAll({R"({"step": 1, "a": NaN, "b": Infinity, "c": -Infinity})"});
  auto a = Values(set, "a");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(std::isnan(a[0]));
  EXPECT_THAT(Values(set, "b"), ElementsAre(std::numeric_limits<double>::infinity()));
  EXPECT_THAT(Values(set, "c"), ElementsAre(-std::numeric_limits<double>::infinity()));
}

TEST(LineParserTest, NonFiniteTokensInTheFallbackPath) {
  // Nesting forces the nlohmann path, which needs the NaN substitution.
  MetricSet set =
      ParseAll({R"({"step": 2, "v": {"a": NaN, "b": [NaN, 1], "c": -Infinity}, "s": "NaN", "d": Infinity})"});
  EXPECT_THAT(set.Keys(), ElementsAre("v.a", "v.c", "d"));
  EXPECT_TRUE(std::isnan(Values(set, "v.a")[0]));
  EXPECT_THAT(Values(set, "v.c"), ElementsAre(-std::numeric_limits<double>::infinity()));
  EXPECT_THAT(Values(set, "d"), ElementsAre(std::numeric_limits<double>::infinity()));
  EXPECT_THAT(Steps(set, "d"), ElementsAre(2));
}

TEST(LineParserTest, NestedObjectsFlattenWithDots) {
  MetricSet set =
      ParseAll({R"({"step": 1, "val": {"loss": 1, "acc": {"top1": 0.5, "top5": 0.9}}, "lr": 0.1, "e": {}})"});
  EXPECT_THAT(set.Keys(), ElementsAre("val.loss", "val.acc.top1", "val.acc.top5", "lr"));
  EXPECT_THAT(Values(set, "val.acc.top5"), ElementsAre(0.9));
  EXPECT_THAT(Steps(set, "val.loss"), ElementsAre(1));
}

TEST(LineParserTest, NestedStepIsAnOrdinaryMetric) {
  MetricSet set = ParseAll({R"({"step": 4, "opt": {"step": 9, "time": 2}})"});
  EXPECT_THAT(set.Keys(), ElementsAre("opt.step", "opt.time"));
  EXPECT_THAT(Steps(set, "opt.step"), ElementsAre(4));
  EXPECT_THAT(Values(set, "opt.step"), ElementsAre(9));
}

TEST(LineParserTest, BoolsAreOneAndZero) {
  MetricSet set = ParseAll({R"({"step": 1, "done": true, "nan_seen": false})", R"({"step": 2, "x": {"ok": true}})"});
  EXPECT_THAT(Values(set, "done"), ElementsAre(1));
  EXPECT_THAT(Values(set, "nan_seen"), ElementsAre(0));
  EXPECT_THAT(Values(set, "x.ok"), ElementsAre(1));
}

TEST(LineParserTest, StringsNullsAndArraysAreIgnored) {
  MetricSet set;
  LineParser parser;
  StatusOr<int> r = parser.Parse(
      R"({"step": 1, "name": "run-a", "n": null, "arr": [1, {"b": 2}], "esc": "a\"b", "x": 1})", kLineNow, set);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, 1);
  EXPECT_THAT(set.Keys(), ElementsAre("x"));
}

TEST(LineParserTest, EscapedAndNonAsciiKeys) {
  MetricSet set = ParseAll({R"({"a\"b": 1, "\u00e9t\u00e9": 2, "tab\tkey": 3})", "{\"caf\xc3\xa9\": 4}"});
  EXPECT_THAT(set.Keys(), ElementsAre("a\"b", "\xc3\xa9t\xc3\xa9", "tab\tkey", "caf\xc3\xa9"));
}

TEST(LineParserTest, NumberEdgeCases) {
  MetricSet set = ParseAll({
      R"({"step": 1, "big": 12345678901234567890, "tiny": 1e-400, "neg0": -0, "negf0": -0.0})",
      R"({"step": 2, "big": 123456789012345678, "tiny": 5e-324, "neg0": 1E+2, "negf0": 2.5e-3})",
  });
  EXPECT_THAT(Values(set, "big"), ElementsAre(12345678901234567890.0, 123456789012345678.0));
  EXPECT_THAT(Values(set, "tiny"), ElementsAre(0.0, 5e-324));
  EXPECT_FALSE(std::signbit(Values(set, "neg0")[0]));  // as nlohmann reads it
  EXPECT_TRUE(std::signbit(Values(set, "negf0")[0]));
  EXPECT_THAT(Values(set, "neg0"), ElementsAre(0.0, 100.0));
  EXPECT_THAT(Values(set, "negf0"), ElementsAre(-0.0, 0.0025));
}

TEST(LineParserTest, WhitespaceAndCarriageReturn) {
  MetricSet set = ParseAll({" \t{ \"step\" :1 ,\"x\":\t2 } \r", "{}", "{ }"});
  EXPECT_THAT(Values(set, "x"), ElementsAre(2));
}

TEST(LineParserTest, BlankLinesAreIgnored) {
  MetricSet set;
  LineParser parser;
  for (std::string_view line : {"", " ", "\t", "\r", "  \t \r"}) {
    StatusOr<int> r = parser.Parse(line, kLineNow, set);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(*r, 0);
  }
  EXPECT_EQ(set.TotalPoints(), 0);
}

TEST(LineParserTest, RejectsNonIntegerSteps) {
  EXPECT_EQ(Reject(R"({"step": 1.5, "loss": 1})"), "step is not an integer");
  EXPECT_EQ(Reject(R"({"loss": 1, "step": "3"})"), "step is not an integer");
  EXPECT_EQ(Reject(R"({"step": true, "loss": 1})"), "step is not an integer");
  EXPECT_EQ(Reject(R"({"step": null, "loss": 1})"), "step is not an integer");
  EXPECT_EQ(Reject(R"({"step": NaN, "loss": 1})"), "step is not an integer");
  EXPECT_EQ(Reject(R"({"step": [1], "loss": 1})"), "step is not an integer");
  EXPECT_EQ(Reject(R"({"step": 1e19, "loss": 1})"), "step is not an integer");
  EXPECT_EQ(Reject(R"({"step": 9223372036854775808, "loss": 1})"), "step is not an integer");
  EXPECT_EQ(Reject(R"({"epoch": 0.5, "loss": 1})"), "epoch is not an integer");
  EXPECT_EQ(Reject(R"({"step": {"a": 1}, "loss": 1})"), "step is not an integer");
  EXPECT_EQ(Reject(R"({"epoch": {}, "loss": 1})"), "epoch is not an integer");
}

TEST(LineParserTest, RejectsMalformedJson) {
  EXPECT_THAT(Reject(R"({"step": 1, "loss": 0.)"), StartsWith("invalid JSON at column"));
  EXPECT_THAT(Reject(R"({"step": 1, "loss": 0.5)"), StartsWith("invalid JSON at column"));
  EXPECT_THAT(Reject(R"({"step": 1, "lo)"), StartsWith("invalid JSON at column"));
  EXPECT_THAT(Reject(R"({"step": 1})"
                     " x"),
              StartsWith("invalid JSON at column"));
  EXPECT_THAT(Reject(R"({"a": 1} {"b": 2})"), HasSubstr("expected end of input"));
  EXPECT_THAT(Reject(R"({"a": 1,})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject(R"({'a': 1})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject(R"({"a": 01})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject(R"({"a": 1.})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject(R"({"a": .5})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject(R"({"a": nan})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject(R"({"a": inf})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject(R"({"a": NaNa})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject(R"({"a": tru})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject(R"({"a": 1 "b": 2})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject(R"({"a" 1})"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject("{\"a\": \"\xff\"}"), StartsWith("invalid JSON"));  // bad UTF-8
  EXPECT_THAT(Reject(R"({"a": 1e400})"), HasSubstr("number overflow"));
  EXPECT_THAT(Reject("{"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject("}"), StartsWith("invalid JSON"));
  EXPECT_THAT(Reject("loss=0.5"), StartsWith("invalid JSON"));
}

TEST(LineParserTest, RejectsNonObjects) {
  EXPECT_EQ(Reject("[1, 2]"), "not a JSON object");
  EXPECT_EQ(Reject("3"), "not a JSON object");
  EXPECT_EQ(Reject("3 4"), "not a JSON object");
  EXPECT_EQ(Reject(R"("loss")"), "not a JSON object");
  EXPECT_EQ(Reject("null"), "not a JSON object");
  EXPECT_EQ(Reject("NaN"), "not a JSON object");
}

TEST(LineParserTest, RejectsEmptyAndDuplicateKeys) {
  EXPECT_EQ(Reject(R"({"": 1})"), "empty key");
  EXPECT_EQ(Reject(R"({"a": {"": 1}})"), "empty key");
  EXPECT_EQ(Reject(R"({"loss": 1, "loss": 2})"), "duplicate key \"loss\"");
  EXPECT_EQ(Reject(R"({"step": 1, "step": 2})"), "duplicate key \"step\"");
  EXPECT_EQ(Reject(R"({"a": {"b": 1}, "a.b": 2})"), "duplicate key \"a.b\"");
  EXPECT_EQ(Reject(R"({"a": {"b": 1}, "a": 2})"), "duplicate key \"a\"");
  EXPECT_EQ(Reject(R"({"a": {}, "a": {}})"), "duplicate key \"a\"");
  std::string wide = "{";
  for (int i = 0; i < 40; ++i) wide += "\"k" + std::to_string(i) + "\": 1, ";
  wide += "\"k17\": 2}";
  EXPECT_EQ(Reject(wide), "duplicate key \"k17\"");
}

TEST(LineParserTest, WideLines) {
  std::string line = "{\"step\": 5";
  for (int i = 0; i < 200; ++i) line += ", \"m" + std::to_string(i) + "\": " + std::to_string(i);
  line += "}";
  MetricSet set = ParseAll({line});
  EXPECT_EQ(set.TotalPoints(), 200);
  EXPECT_THAT(Values(set, "m199"), ElementsAre(199));
}

// Found by fuzz/metrics_line_fuzzer: the fallback used to read "6NaN" as 60,
// "-NaN" as -0, and stop at a NUL byte, accepting what the fast path refused.
TEST(LineParserTest, RejectsGarbageAroundSpecialNumbers) {
  EXPECT_NE(Reject(R"({"a": 6NaN, "b": 5})"), "");
  EXPECT_NE(Reject(R"({"a": -NaN})"), "");
  EXPECT_EQ(Reject(std::string_view("{\"loss\": 1}\0{\"loss\": 2}", 23)), "NUL byte in line");
}

// A reader that starts in the middle of a file numbers step-less points on from the count it
// was given, as a reader of the whole file does.
TEST(LineParserTest, ContinueCountNumbersStepLessPointsOn) {
  LineParser whole_parser, tail_parser;
  MetricSet whole, tail;
  const char* lines[] = {R"({"loss": 1})", R"({"loss": 2, "acc": 0.5})", R"({"step": 9, "loss": 3})", R"({"loss": 4})"};
  for (const char* l : lines) ASSERT_TRUE(whole_parser.Parse(l, 1, whole).ok());
  tail.ContinueCount("loss", 3);
  tail.ContinueCount("acc", 1);
  ASSERT_TRUE(tail_parser.Parse(lines[3], 1, tail).ok());
  ASSERT_TRUE(tail_parser.Parse(R"({"acc": 0.7})", 1, tail).ok());
  ASSERT_EQ(tail.Series("loss")->size(), 1u);
  EXPECT_EQ(tail.Series("loss")->at(0).step, whole.Series("loss")->at(3).step);
  EXPECT_EQ(tail.Series("loss")->at(0).step, 3);
  EXPECT_EQ(tail.Series("acc")->at(0).step, 1);
  EXPECT_EQ(tail.Summarize("loss")->count, 1);  // summaries count the set's own points
}

}  // namespace
}  // namespace trail::metrics
