#include "hpo/space.h"

#include <gtest/gtest.h>

#include <cmath>

namespace trail::hpo {
namespace {

Json Spec(const char* text) { return Json::parse(text); }

std::string ParseError(const char* text) {
  auto space = ParseSpace(Spec(text));
  EXPECT_FALSE(space.ok()) << text;
  if (space.ok()) return "";
  EXPECT_EQ(space.status().code(), Code::kInvalidArgument);
  return space.status().message();
}

std::vector<Json> Values(const Dim& d) {
  std::vector<Json> out;
  for (uint64_t k = 0; k < d.Count(); ++k) out.push_back(d.ValueAt(k));
  return out;
}

TEST(ParseSpaceTest, TheIssueExample) {
  auto space = ParseSpace(Spec(R"({
    "lr": {"start": 0.001, "end": 3.0, "scale": "log"},
    "momentum": {"start": 0.1, "end": 0.9, "step": 0.1},
    "layers": {"start": 1, "end": 100, "step": 10, "type": "int"},
    "reg": {"choice": ["l1", "l2", "dropout"]}})"));
  ASSERT_TRUE(space.ok()) << space.status().message();
  ASSERT_EQ(space->dims.size(), 4u);
  const Dim& lr = space->dims[0];
  EXPECT_EQ(lr.name, "lr");
  EXPECT_EQ(lr.type, DimType::kFloat);
  EXPECT_EQ(lr.scale, Scale::kLog);
  EXPECT_FALSE(lr.IsDiscrete());
  EXPECT_EQ(space->dims[1].type, DimType::kFloat);
  EXPECT_EQ(space->dims[2].type, DimType::kInt);
  EXPECT_EQ(space->dims[3].type, DimType::kChoice);
  EXPECT_EQ(space->Find("reg"), &space->dims[3]);
  EXPECT_EQ(space->Find("nope"), nullptr);
  EXPECT_EQ(space->GridSize(), std::nullopt);  // lr is continuous
}

TEST(ParseSpaceTest, TypeDefaultsToIntOnlyForAnIntegerLattice) {
  auto space = ParseSpace(Spec(R"({
    "a": {"start": 0, "end": 1},
    "b": {"start": 16, "end": 128, "step": 16},
    "c": {"start": 16, "end": 128, "step": 16, "type": "float"},
    "d": {"start": 1, "end": 10, "step": 0.5}})"));
  ASSERT_TRUE(space.ok()) << space.status().message();
  EXPECT_EQ(space->dims[0].type, DimType::kFloat);
  EXPECT_EQ(space->dims[1].type, DimType::kInt);
  EXPECT_EQ(space->dims[2].type, DimType::kFloat);
  EXPECT_EQ(space->dims[3].type, DimType::kFloat);
  EXPECT_TRUE(space->dims[1].ValueAt(2).is_number_integer());
  EXPECT_TRUE(space->dims[2].ValueAt(2).is_number_float());
}

TEST(ParseSpaceTest, EachBadSpecGetsOneLineNamingTheParameter) {
  EXPECT_EQ(ParseError(R"([1, 2])"), "space: expected a mapping of parameter names to ranges or choices");
  EXPECT_EQ(ParseError(R"({})"), "space: no parameters");
  EXPECT_EQ(ParseError(R"({"lr": 0.1})"),
            "space.lr: expected a mapping such as {start: 0.1, end: 1} or {choice: [a, b]}");
  EXPECT_EQ(ParseError(R"({"lr": {"start": 1, "end": 1}})"), "space.lr: empty range: start and end are both 1");
  EXPECT_EQ(ParseError(R"({"lr": {"start": 3, "end": 1}})"),
            "space.lr: start must be less than end (got start 3, end 1)");
  EXPECT_EQ(ParseError(R"({"lr": {"end": 1}})"), "space.lr: missing start");
  EXPECT_EQ(ParseError(R"({"lr": {"start": 0}})"), "space.lr: missing end");
  EXPECT_EQ(ParseError(R"({"lr": {"start": "a", "end": 1}})"), "space.lr: start must be a number (got \"a\")");
  EXPECT_EQ(ParseError(R"({"lr": {"start": 0, "end": true}})"), "space.lr: end must be a number (got true)");
  EXPECT_EQ(ParseError(R"({"m": {"start": 0.1, "end": 0.9, "step": 2}})"),
            "space.m: step 2 is larger than the range 0.1..0.9");
  EXPECT_EQ(ParseError(R"({"m": {"start": 0.1, "end": 0.9, "step": 0}})"), "space.m: step must be positive (got 0)");
  EXPECT_EQ(ParseError(R"({"m": {"start": 0.1, "end": 0.9, "step": -0.1}})"),
            "space.m: step must be positive (got -0.1)");
  EXPECT_EQ(ParseError(R"({"lr": {"start": 0, "end": 1, "scale": "log"}})"),
            "space.lr: a log scale needs start > 0 (got 0)");
  EXPECT_EQ(ParseError(R"({"lr": {"start": -1, "end": 1, "scale": "log"}})"),
            "space.lr: a log scale needs start > 0 (got -1)");
  EXPECT_EQ(ParseError(R"({"lr": {"start": 0.001, "end": 1, "scale": "log", "step": 0.1}})"),
            "space.lr: with a log scale, step is the ratio between neighbouring values and must be greater than 1 "
            "(got 0.1)");
  EXPECT_EQ(ParseError(R"({"lr": {"start": 0.001, "end": 1, "scale": "log", "step": 10000}})"),
            "space.lr: step ratio 10000 is larger than the range 0.001..1");
  EXPECT_EQ(ParseError(R"({"lr": {"start": 0.1, "end": 1, "scale": "exp"}})"),
            "space.lr: scale must be linear or log (got \"exp\")");
  EXPECT_EQ(ParseError(R"({"lr": {"start": 0.1, "end": 1, "type": "double"}})"),
            "space.lr: type must be int or float (got \"double\")");
  EXPECT_EQ(ParseError(R"({"lr": {"start": 0.1, "end": 1, "stpe": 0.1}})"),
            "space.lr: unknown key 'stpe' (expected start, end, step, scale, type or choice)");
  EXPECT_EQ(ParseError(R"({"n": {"start": 1.5, "end": 10, "type": "int"}})"),
            "space.n: an int parameter needs integer bounds (got start 1.5, end 10)");
  EXPECT_EQ(ParseError(R"({"n": {"start": 1, "end": 10, "step": 2.5, "type": "int"}})"),
            "space.n: an int parameter needs an integer step (got 2.5)");
  EXPECT_EQ(ParseError(R"({"n": {"start": 0, "end": 1e300, "type": "int"}})"),
            "space.n: int bounds must lie within +-2^53");
  EXPECT_EQ(ParseError(R"({"reg": {"choice": []}})"), "space.reg: choice list is empty");
  EXPECT_EQ(ParseError(R"({"reg": {"choice": "l1"}})"), "space.reg: choice must be a list, such as [a, b]");
  EXPECT_EQ(ParseError(R"({"reg": {"choice": ["l1", "l2", "l1"]}})"), "space.reg: choice lists \"l1\" twice");
  EXPECT_EQ(ParseError(R"({"reg": {"choice": ["l1"], "start": 0}})"),
            "space.reg: choice takes no other key (found 'start')");
  EXPECT_EQ(ParseError(R"({"": {"choice": ["l1"]}})"), "space: a parameter has an empty name");
}

TEST(DimTest, FloatLatticeIsRoundedToTheStepsDecimals) {
  auto space = ParseSpace(Spec(R"({"m": {"start": 0.1, "end": 0.9, "step": 0.1}})"));
  ASSERT_TRUE(space.ok());
  std::vector<Json> want = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
  EXPECT_EQ(Values(space->dims[0]), want);
  // Not merely close: the very doubles a user would type.
  EXPECT_EQ(space->dims[0].ValueAt(2).get<double>(), 0.3);
  EXPECT_EQ(space->dims[0].ValueAt(2).dump(), "0.3");
}

TEST(DimTest, LatticeStopsAtTheLastStepInsideTheRange) {
  auto space = ParseSpace(Spec(R"({
    "a": {"start": 0.05, "end": 0.5, "step": 0.1},
    "b": {"start": -1, "end": 1, "step": 0.25},
    "c": {"start": 0, "end": 0.95, "step": 0.1}})"));
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(Values(space->dims[0]), (std::vector<Json>{0.05, 0.15, 0.25, 0.35, 0.45}));
  EXPECT_EQ(Values(space->dims[1]), (std::vector<Json>{-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0}));
  EXPECT_EQ(space->dims[2].Count(), 10u);
  EXPECT_EQ(space->dims[2].ValueAt(9), Json(0.9));
}

TEST(DimTest, IntLattices) {
  auto space = ParseSpace(Spec(R"({
    "layers": {"start": 1, "end": 100, "step": 10, "type": "int"},
    "n": {"start": -2, "end": 2, "type": "int"},
    "batch": {"start": 16, "end": 512, "step": 2, "scale": "log", "type": "int"},
    "k": {"start": 1, "end": 1000, "scale": "log", "type": "int"}})"));
  ASSERT_TRUE(space.ok()) << space.status().message();
  EXPECT_EQ(Values(space->dims[0]), (std::vector<Json>{1, 11, 21, 31, 41, 51, 61, 71, 81, 91}));
  EXPECT_EQ(Values(space->dims[1]), (std::vector<Json>{-2, -1, 0, 1, 2}));
  EXPECT_EQ(Values(space->dims[2]), (std::vector<Json>{16, 32, 64, 128, 256, 512}));
  EXPECT_EQ(space->dims[3].Count(), 1000u);
  for (const Dim& d : space->dims) EXPECT_TRUE(d.ValueAt(1).is_number_integer()) << d.name;
}

TEST(DimTest, LogLatticeIsGeometricAndClean) {
  auto space = ParseSpace(Spec(R"({"lr": {"start": 0.0001, "end": 1, "step": 10, "scale": "log"}})"));
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(Values(space->dims[0]), (std::vector<Json>{0.0001, 0.001, 0.01, 0.1, 1.0}));
}

TEST(DimTest, ValueAtFractionFollowsTheScale) {
  auto space = ParseSpace(Spec(R"({"lr": {"start": 0.001, "end": 10, "scale": "log"}, "x": {"start": -1, "end": 3}})"));
  ASSERT_TRUE(space.ok());
  EXPECT_DOUBLE_EQ(space->dims[0].ValueAtFraction(0.5), 0.1);
  EXPECT_DOUBLE_EQ(space->dims[0].ValueAtFraction(0.0), 0.001);
  EXPECT_DOUBLE_EQ(space->dims[0].ValueAtFraction(1.0), 10);
  EXPECT_DOUBLE_EQ(space->dims[1].ValueAtFraction(0.25), 0);
  EXPECT_DOUBLE_EQ(space->dims[1].ValueAtFraction(2.0), 3);  // clamped
}

TEST(SpaceToJsonTest, SpellsOutDefaultsAndReadsBack) {
  auto space = ParseSpace(Spec(R"({
    "lr": {"start": 0.001, "end": 3.0, "scale": "log"},
    "layers": {"start": 1, "end": 100, "step": 10},
    "x": {"start": 0, "end": 1},
    "reg": {"choice": ["l1", 2, true]}})"));
  ASSERT_TRUE(space.ok());
  Json out = SpaceToJson(*space);
  EXPECT_EQ(out.dump(), R"({"lr":{"start":0.001,"end":3.0,"scale":"log","type":"float"},)"
                        R"("layers":{"start":1,"end":100,"step":10,"scale":"linear","type":"int"},)"
                        R"("x":{"start":0.0,"end":1.0,"scale":"linear","type":"float"},)"
                        R"("reg":{"choice":["l1",2,true]}})");
  auto again = ParseSpace(out);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(SpaceToJson(*again), out);
}

TEST(CheckPointTest, ValidatesEveryParameter) {
  auto space = ParseSpace(Spec(R"({"x": {"start": 0, "end": 1}, "n": {"start": 1, "end": 5, "type": "int"},
                                   "c": {"choice": ["a", "b"]}})"));
  ASSERT_TRUE(space.ok());
  EXPECT_TRUE(CheckPoint(*space, Spec(R"({"x": 0.5, "n": 3, "c": "a", "extra": 1})")).ok());
  EXPECT_EQ(CheckPoint(*space, Spec(R"({"x": 0.5, "n": 3})")).message(), "c: missing");
  EXPECT_EQ(CheckPoint(*space, Spec(R"({"x": 2, "n": 3, "c": "a"})")).message(), "x: 2 is outside 0..1");
  EXPECT_EQ(CheckPoint(*space, Spec(R"({"x": 0.5, "n": 2.5, "c": "a"})")).message(), "n: 2.5 is not an integer");
  EXPECT_EQ(CheckPoint(*space, Spec(R"({"x": "0.5", "n": 3, "c": "a"})")).message(), "x: \"0.5\" is not a number");
  EXPECT_EQ(CheckPoint(*space, Spec(R"({"x": 0.5, "n": 3, "c": "z"})")).message(),
            "c: \"z\" is not one of the choices");
}

}  // namespace
}  // namespace trail::hpo

namespace trail::hpo {
namespace {

// Found by fuzz/sweep_spec_fuzzer: rounding to 12 significant digits put the
// first value of a log lattice below a start written with more digits.
TEST(DimRegressionTest, LogLatticeNeverLeavesTheRange) {
  auto space = ParseSpace(Spec(R"({"lr": {"start": 0.1234567890123456, "end": 1000, "step": 10, "scale": "log"}})"));
  ASSERT_TRUE(space.ok()) << space.status().message();
  const Dim& d = space->dims[0];
  for (uint64_t k = 0; k < d.Count(); ++k) {
    Json v = d.ValueAt(k);
    EXPECT_GE(v.get<double>(), d.start);
    EXPECT_LE(v.get<double>(), d.end);
    EXPECT_TRUE(CheckPoint(*space, Json{{"lr", v}}).ok());
  }
}

// Found by fuzz/sweep_spec_fuzzer: a NaN choice could be proposed but never matched back.
TEST(DimRegressionTest, NonFiniteChoicesAreRefused) {
  Json spec = Json::object();
  spec["act"] = Json{{"choice", Json::array({Json(1), Json(std::nan(""))})}};
  auto space = ParseSpace(spec);
  ASSERT_FALSE(space.ok());
  EXPECT_NE(space.status().message().find("space.act: choice values must be finite"), std::string::npos)
      << space.status().message();
}

}  // namespace
}  // namespace trail::hpo
