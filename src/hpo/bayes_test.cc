#include "hpo/bayes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace trail::hpo {
namespace {

Space MustParseBayesSpace(const char* text) {
  auto space = ParseSpace(Json::parse(text));
  EXPECT_TRUE(space.ok()) << space.status().message();
  return *space;
}

double Quadratic(const Point& p) {
  double x = p["x"].get<double>(), y = p["y"].get<double>();
  return (x - 0.3) * (x - 0.3) + (y + 0.2) * (y + 0.2);
}

std::vector<Observation> RunTrials(Strategy& s, int trials, double (*f)(const Point&)) {
  std::vector<Observation> done;
  for (int t = 0; t < trials; ++t) {
    auto p = s.Propose(done, {});
    EXPECT_TRUE(p.ok()) << p.status().message();
    if (!p.ok()) break;
    done.push_back({*p, f(*p)});
  }
  return done;
}

double Best(const std::vector<Observation>& done) {
  double best = HUGE_VAL;
  for (const Observation& o : done) best = std::min(best, o.value.value_or(HUGE_VAL));
  return best;
}

TEST(BayesTest, FindsTheMinimumOfAQuadratic) {
  Space space = MustParseBayesSpace(R"({"x": {"start": -1, "end": 1}, "y": {"start": -1, "end": 1}})");
  auto bayes = MakeBayesStrategy(space, 1);
  std::vector<Observation> done = RunTrials(*bayes, 20, Quadratic);
  EXPECT_LT(Best(done), 1e-4);
}

TEST(BayesTest, LongSweepsFitASubsetAndStillConverge) {
  Space space = MustParseBayesSpace(R"({"x": {"start": -1, "end": 1}, "y": {"start": -1, "end": 1}})");
  BayesOptions options;
  options.max_model_points = 8;  // the best 4 and the 4 most recent of the others
  auto bayes = MakeBayesStrategy(space, 4, options);
  std::vector<Observation> done = RunTrials(*bayes, 30, Quadratic);
  EXPECT_LT(Best(done), 1e-2);
}

TEST(BayesTest, SameInputsSameProposal) {
  Space space = MustParseBayesSpace(R"({"x": {"start": -1, "end": 1}, "y": {"start": -1, "end": 1}})");
  auto a = MakeBayesStrategy(space, 9);
  std::vector<Observation> done = RunTrials(*a, 12, Quadratic);
  std::vector<Point> pending = {Json{{"x", 0.1}, {"y", 0.1}}};
  auto first = a->Propose(done, pending);
  auto again = a->Propose(done, pending);
  auto b = MakeBayesStrategy(space, 9);  // a resumed sweep: a fresh strategy, the same records
  auto fresh = b->Propose(done, pending);
  ASSERT_TRUE(first.ok() && again.ok() && fresh.ok());
  EXPECT_EQ(first->dump(), again->dump());
  EXPECT_EQ(first->dump(), fresh->dump());
  auto other_seed = MakeBayesStrategy(space, 10)->Propose(done, pending);
  ASSERT_TRUE(other_seed.ok());
}

TEST(BayesTest, PendingPointsGetDistinctProposals) {
  Space space = MustParseBayesSpace(R"({"x": {"start": -1, "end": 1}, "y": {"start": -1, "end": 1}})");
  auto bayes = MakeBayesStrategy(space, 3);
  // Early, while the model is unsure, parallel proposals spread out; late, near a converged
  // optimum, they may be close but are still never the same point.
  for (auto [trials, spread] : {std::pair{8, 0.005}, std::pair{16, 0.0}}) {
    std::vector<Observation> done = RunTrials(*bayes, trials, Quadratic);
    std::vector<Point> pending;
    for (int worker = 0; worker < 4; ++worker) {
      auto p = bayes->Propose(done, pending);
      ASSERT_TRUE(p.ok());
      for (const Point& q : pending) {
        double dx = (*p)["x"].get<double>() - q["x"].get<double>(), dy = (*p)["y"].get<double>() - q["y"].get<double>();
        EXPECT_GT(std::hypot(dx, dy), spread) << trials << ": " << p->dump() << " vs " << q.dump();
      }
      pending.push_back(*p);
    }
  }
}

double ByChoice(const Point& p) {
  double base = p["reg"] == "l2" ? 0.0 : p["reg"] == "l1" ? 1.0 : 2.0;
  double n = static_cast<double>(p["layers"].get<int64_t>());
  double x = p["lr"].get<double>();
  return base + std::pow(std::log10(x) + 2, 2) + std::pow((n - 41) / 50, 2);
}

TEST(BayesTest, MixedSpaceGivesOnlyValidValues) {
  Space space = MustParseBayesSpace(R"({"lr": {"start": 0.0001, "end": 1, "scale": "log"},
                              "layers": {"start": 1, "end": 100, "step": 10, "type": "int"},
                              "reg": {"choice": ["l1", "l2", "dropout"]}})");
  auto bayes = MakeBayesStrategy(space, 5);
  std::vector<Observation> done = RunTrials(*bayes, 30, ByChoice);
  std::set<std::string> seen;
  for (const Observation& o : done) {
    ASSERT_TRUE(CheckPoint(space, o.x).ok()) << o.x.dump();
    ASSERT_TRUE(o.x["layers"].is_number_integer()) << o.x.dump();
    EXPECT_EQ((o.x["layers"].get<int64_t>() - 1) % 10, 0) << o.x.dump();
    ASSERT_TRUE(o.x["reg"].is_string());
    seen.insert(o.x["reg"].get<std::string>());
  }
  EXPECT_TRUE(seen.count("l2"));
  EXPECT_LT(Best(done), 0.1);  // l2, layers 41, lr near 0.01
}

TEST(BayesTest, DiscreteSpaceNeverRepeatsWhileUntriedPointsRemain) {
  Space space = MustParseBayesSpace(R"({"n": {"start": 1, "end": 6, "type": "int"}, "c": {"choice": ["a", "b"]}})");
  auto bayes = MakeBayesStrategy(space, 2);
  std::vector<Observation> done;
  std::set<std::string> seen;
  for (int t = 0; t < 12; ++t) {
    auto p = bayes->Propose(done, {});
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(seen.insert(p->dump()).second) << "repeated " << p->dump() << " at trial " << t;
    double v = std::abs((*p)["n"].get<int64_t>() - 3.0) + ((*p)["c"] == "a" ? 0.0 : 0.5);
    done.push_back({*p, v});
  }
  // All 12 points tried: the next proposal is a repeat, not an error.
  EXPECT_TRUE(bayes->Propose(done, {}).ok());
}

TEST(BayesTest, FailedTrialsAreNotRetried) {
  Space space = MustParseBayesSpace(R"({"n": {"start": 1, "end": 5, "type": "int"}})");
  BayesOptions options;
  options.initial_trials = 1;
  auto bayes = MakeBayesStrategy(space, 0, options);
  std::vector<Observation> done = {
      {Json{{"n", 1}}, 1.0}, {Json{{"n", 2}}, 0.5}, {Json{{"n", 3}}, std::nullopt}, {Json{{"n", 5}}, 2.0}};
  auto p = bayes->Propose(done, {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->dump(), R"({"n":4})");
}

TEST(BayesTest, AllFailedOrAllEqualDoesNotBreak) {
  Space space = MustParseBayesSpace(R"({"x": {"start": 0, "end": 1}})");
  auto bayes = MakeBayesStrategy(space, 0);
  std::vector<Observation> failed, flat;
  for (int i = 0; i < 12; ++i) {
    auto p = bayes->Propose(failed, {});
    ASSERT_TRUE(p.ok());
    failed.push_back({*p, i % 2 ? std::nullopt : std::optional<double>(NAN)});
    auto q = bayes->Propose(flat, {});
    ASSERT_TRUE(q.ok());
    flat.push_back({*q, 3.0});
  }
}

TEST(BayesTest, ObservationsThatDoNotFitTheSpaceAreErrors) {
  Space space = MustParseBayesSpace(R"({"x": {"start": 0, "end": 1}, "c": {"choice": ["a", "b"]}})");
  auto bayes = MakeBayesStrategy(space, 0);
  auto p = bayes->Propose({{Json{{"x", 0.5}}, 1.0}}, {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "observation 0: c: missing");
  p = bayes->Propose({}, {Json{{"x", 0.5}, {"c", "z"}}});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "pending point 0: c: \"z\" is not one of the choices");
  // A numeric value outside the range (an earlier, wider space) is accepted.
  EXPECT_TRUE(bayes->Propose({{Json{{"x", 7.0}, {"c", "a"}}, 1.0}}, {}).ok());
}

}  // namespace
}  // namespace trail::hpo
