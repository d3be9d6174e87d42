#include "hpo/grid.h"

#include <gtest/gtest.h>

namespace trail::hpo {
namespace {

Space MustParse(const char* text) {
  auto space = ParseSpace(Json::parse(text));
  EXPECT_TRUE(space.ok()) << space.status().message();
  return *space;
}

std::vector<Point> Enumerate(Strategy& s) {
  std::vector<Point> out;
  std::vector<Observation> done;
  while (true) {
    auto p = s.Propose(done, {});
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), Code::kFailedPrecondition);
      break;
    }
    out.push_back(*p);
    done.push_back({*p, std::nullopt});
  }
  return out;
}

TEST(GridTest, NestedLoopOrderLastDimFastest) {
  Space space = MustParse(R"({"m": {"start": 0.1, "end": 0.3, "step": 0.1},
                              "layers": {"start": 1, "end": 25, "step": 10, "type": "int"},
                              "reg": {"choice": ["l1", "l2"]}})");
  auto grid = MakeGridStrategy(space);
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ((*grid)->Size(), 18u);
  std::vector<Point> points = Enumerate(**grid);
  ASSERT_EQ(points.size(), 18u);
  EXPECT_EQ(points[0].dump(), R"({"m":0.1,"layers":1,"reg":"l1"})");
  EXPECT_EQ(points[1].dump(), R"({"m":0.1,"layers":1,"reg":"l2"})");
  EXPECT_EQ(points[2].dump(), R"({"m":0.1,"layers":11,"reg":"l1"})");
  EXPECT_EQ(points[5].dump(), R"({"m":0.1,"layers":21,"reg":"l2"})");
  EXPECT_EQ(points[6].dump(), R"({"m":0.2,"layers":1,"reg":"l1"})");
  EXPECT_EQ(points[14].dump(), R"({"m":0.3,"layers":11,"reg":"l1"})");  // 0.3, not 0.30000000000000004
  EXPECT_EQ(points[17].dump(), R"({"m":0.3,"layers":21,"reg":"l2"})");
}

TEST(GridTest, ExhaustedGridIsFailedPrecondition) {
  Space space = MustParse(R"({"c": {"choice": [1, 2]}})");
  auto grid = MakeGridStrategy(space);
  ASSERT_TRUE(grid.ok());
  std::vector<Observation> done = {{Json{{"c", 1}}, 1.0}};
  std::vector<Point> pending = {Json{{"c", 2}}};
  auto p = (*grid)->Propose(done, pending);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(p.status().message(), "grid exhausted: all 2 points have been proposed");
}

TEST(GridTest, PendingTrialsCountTowardsTheIndex) {
  Space space = MustParse(R"({"n": {"start": 0, "end": 9, "type": "int"}})");
  auto grid = MakeGridStrategy(space);
  ASSERT_TRUE(grid.ok());
  std::vector<Observation> done = {{Json{{"n", 0}}, 1.0}};
  std::vector<Point> pending = {Json{{"n", 1}}, Json{{"n", 2}}};
  EXPECT_EQ((*grid)->Propose(done, pending)->dump(), R"({"n":3})");
}

TEST(GridTest, LogGridAndIntWithoutStep) {
  Space space = MustParse(R"({"lr": {"start": 0.001, "end": 0.1, "step": 10, "scale": "log"},
                              "n": {"start": 1, "end": 3, "type": "int"}})");
  auto grid = MakeGridStrategy(space);
  ASSERT_TRUE(grid.ok());
  std::vector<std::string> got;
  for (const Point& p : Enumerate(**grid)) got.push_back(p.dump());
  EXPECT_EQ(got, (std::vector<std::string>{R"({"lr":0.001,"n":1})", R"({"lr":0.001,"n":2})", R"({"lr":0.001,"n":3})",
                                           R"({"lr":0.01,"n":1})", R"({"lr":0.01,"n":2})", R"({"lr":0.01,"n":3})",
                                           R"({"lr":0.1,"n":1})", R"({"lr":0.1,"n":2})", R"({"lr":0.1,"n":3})"}));
}

TEST(GridTest, FloatWithoutStepIsRefused) {
  Space space = MustParse(R"({"lr": {"start": 0.001, "end": 0.1, "scale": "log"}})");
  auto grid = MakeGridStrategy(space);
  ASSERT_FALSE(grid.ok());
  EXPECT_EQ(grid.status().message(), "space.lr: grid search needs a step for a float range (or use random or bayes)");
  auto also = MakeStrategy("grid", space, 0);
  EXPECT_FALSE(also.ok());
}

TEST(MakeStrategyTest, UnknownName) {
  Space space = MustParse(R"({"c": {"choice": [1, 2]}})");
  auto s = MakeStrategy("anneal", space, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "unknown search strategy 'anneal' (expected grid, random or bayes)");
  EXPECT_EQ(MakeStrategy("random", Space{}, 0).status().message(), "space: no parameters");
  EXPECT_TRUE(MakeStrategy("grid", space, 0).ok());
  EXPECT_TRUE(MakeStrategy("random", space, 0).ok());
  EXPECT_TRUE(MakeStrategy("bayes", space, 0).ok());
}

}  // namespace
}  // namespace trail::hpo
