#include "hpo/random_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace trail::hpo {
namespace {

Space MixedSpace() {
  auto space = ParseSpace(Json::parse(R"({
    "lr": {"start": 0.001, "end": 10, "scale": "log"},
    "momentum": {"start": 0.1, "end": 0.9, "step": 0.1},
    "layers": {"start": 1, "end": 100, "step": 10, "type": "int"},
    "reg": {"choice": ["l1", "l2", "dropout"]}})"));
  EXPECT_TRUE(space.ok());
  return *space;
}

TEST(RandomSearchTest, ReproducibleFromSeedAndTrialIndex) {
  Space space = MixedSpace();
  auto a = MakeRandomStrategy(space, 42);
  auto b = MakeRandomStrategy(space, 42);
  std::vector<Observation> done;
  for (int i = 0; i < 20; ++i) {
    Point p = *a->Propose(done, {});
    EXPECT_EQ(p, *b->Propose(done, {}));
    EXPECT_EQ(p, RandomPoint(space, 42, i));
    done.push_back({p, 1.0 * i});
  }
  // Only the count matters: the same index with the trials split between done and pending.
  std::vector<Observation> three(done.begin(), done.begin() + 3);
  std::vector<Point> two = {done[3].x, done[4].x};
  EXPECT_EQ(*a->Propose(three, two), RandomPoint(space, 42, 5));
  // Another seed, other points.
  EXPECT_NE(RandomPoint(space, 43, 0), RandomPoint(space, 42, 0));
}

TEST(RandomSearchTest, ValuesHaveTheRightTypesAndLieOnTheirLattices) {
  Space space = MixedSpace();
  std::set<std::string> regs;
  std::set<int64_t> layers;
  int below_geometric_mean = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    Point p = RandomPoint(space, 7, i);
    ASSERT_TRUE(CheckPoint(space, p).ok()) << p.dump();
    ASSERT_TRUE(p["lr"].is_number_float());
    double lr = p["lr"].get<double>();
    EXPECT_GE(lr, 0.001);
    EXPECT_LE(lr, 10);
    below_geometric_mean += lr < 0.1;
    double m = p["momentum"].get<double>();
    EXPECT_EQ(m, std::round(m * 10) / 10) << m;  // exactly a lattice value, e.g. 0.3 not 0.30000000000000004
    ASSERT_TRUE(p["layers"].is_number_integer());
    int64_t l = p["layers"].get<int64_t>();
    EXPECT_EQ((l - 1) % 10, 0) << l;
    layers.insert(l);
    regs.insert(p["reg"].get<std::string>());
  }
  // Log-uniform: half the draws below the geometric mean of the range.
  EXPECT_NEAR(below_geometric_mean / static_cast<double>(n), 0.5, 0.03);
  EXPECT_EQ(layers.size(), 10u);
  EXPECT_EQ(regs, (std::set<std::string>{"l1", "l2", "dropout"}));
}

}  // namespace
}  // namespace trail::hpo
