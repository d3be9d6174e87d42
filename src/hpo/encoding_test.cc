#include "hpo/encoding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace trail::hpo {
namespace {

Space MustParseEncodingSpace(const char* text) {
  auto space = ParseSpace(Json::parse(text));
  EXPECT_TRUE(space.ok()) << space.status().message();
  return *space;
}

TEST(EncodingTest, RoundTripsLatticeValuesAndChoices) {
  Space space = MustParseEncodingSpace(R"({"m": {"start": 0.1, "end": 0.9, "step": 0.1},
                              "k": {"start": 1, "end": 1000, "scale": "log", "type": "int"},
                              "b": {"start": 16, "end": 512, "step": 2, "scale": "log", "type": "int"},
                              "c": {"choice": ["a", "b", "c"]}})");
  Encoding e(space);
  EXPECT_EQ(e.num_features(), 6);
  EXPECT_EQ(e.FeatureDims(), (std::vector<int>{0, 1, 2, 3, 3, 3}));
  for (const char* text : {R"({"m": 0.3, "k": 7, "b": 64, "c": "b"})", R"({"m": 0.9, "k": 1000, "b": 16, "c": "a"})"}) {
    Point p = Json::parse(text);
    std::vector<double> x(6);
    ASSERT_TRUE(e.Encode(p, x.data()).ok());
    EXPECT_EQ(e.Decode(x.data()).dump(), p.dump());
    std::vector<double> snapped = x;
    e.Snap(snapped.data());
    EXPECT_TRUE(e.SamePoint(x.data(), snapped.data()));
  }
  // Different choices are as far apart as the ends of a numeric range.
  std::vector<double> a(6), b(6);
  e.SetChoice(3, 0, a.data());
  e.SetChoice(3, 2, b.data());
  double d2 = 0;
  for (int f = 3; f < 6; ++f) d2 += (a[f] - b[f]) * (a[f] - b[f]);
  EXPECT_NEAR(d2, 1.0, 1e-12);
}

TEST(EncodingTest, UniformCubeGivesUniformLatticeValues) {
  Space space = MustParseEncodingSpace(R"({"m": {"start": 0.1, "end": 0.5, "step": 0.1}})");
  Encoding e(space);
  std::map<std::string, int> counts;
  for (int i = 0; i < 1000; ++i) {
    double u = (i + 0.5) / 1000, x = 0;
    e.FromUnitCube(&u, &x);
    counts[e.Decode(&x).dump()]++;
  }
  EXPECT_EQ(counts, (std::map<std::string, int>{{R"({"m":0.1})", 200},
                                                {R"({"m":0.2})", 200},
                                                {R"({"m":0.3})", 200},
                                                {R"({"m":0.4})", 200},
                                                {R"({"m":0.5})", 200}}));
}

TEST(EncodingTest, OutOfRangeValuesAreClampedAndBadOnesRefused) {
  Space space =
      MustParseEncodingSpace(R"({"lr": {"start": 0.001, "end": 1, "scale": "log"}, "c": {"choice": [1, "two"]}})");
  Encoding e(space);
  std::vector<double> x(3);
  ASSERT_TRUE(e.Encode(Json::parse(R"({"lr": 5, "c": "two"})"), x.data()).ok());
  EXPECT_EQ(x[0], 1.0);
  ASSERT_TRUE(e.Encode(Json::parse(R"({"lr": -1, "c": 1})"), x.data()).ok());
  EXPECT_EQ(x[0], 0.0);
  EXPECT_NEAR(x[1], Encoding::kHot, 1e-15);
  EXPECT_EQ(e.Encode(Json::parse(R"({"lr": "a", "c": 1})"), x.data()).message(), "lr: \"a\" is not a number");
  EXPECT_EQ(e.Encode(Json::parse(R"({"lr": 0.1, "c": 3})"), x.data()).message(), "c: 3 is not one of the choices");
  EXPECT_EQ(e.Encode(Json::parse(R"([0.1, 1])"), x.data()).message(),
            "a point must be a mapping of parameter names to values");
}

}  // namespace
}  // namespace trail::hpo
