#include "hpo/acquisition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "hpo/rng.h"

namespace trail::hpo {
namespace {

double DirectEi(double mean, double variance, double best) {
  double sigma = std::sqrt(variance), z = (best - mean) / sigma;
  double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi);
  double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
  return sigma * (pdf + z * cdf);
}

TEST(LogEiTest, MatchesTheDirectFormulaWhereEiIsNotTiny) {
  for (double z = -8; z <= 8; z += 0.25) {
    for (double sigma : {1e-3, 0.1, 1.0, 7.0}) {
      double best = 0.3, mean = best - z * sigma;
      double direct = DirectEi(mean, sigma * sigma, best);
      ASSERT_GT(direct, 1e-300);
      EXPECT_NEAR(LogExpectedImprovement(mean, sigma * sigma, best), std::log(direct), 1e-9) << z << " " << sigma;
    }
  }
}

TEST(LogEiTest, StaysFiniteAndMonotoneWhereEiUnderflows) {
  double previous = -HUGE_VAL;
  for (double z : {-1e12, -1e8, -1e5, -1e3, -200.0, -61.0, -60.0, -59.0, -40.0, -38.0, -30.0, -1.0, 0.0}) {
    double v = LogH(z);
    EXPECT_TRUE(std::isfinite(v)) << z;
    EXPECT_GT(v, previous) << z;
    previous = v;
  }
  EXPECT_EQ(DirectEi(40.0, 1.0, 0.0), 0.0);  // underflows...
  EXPECT_NEAR(LogExpectedImprovement(40.0, 1.0, 0.0),
              -0.5 * 1600 - 0.5 * std::log(2 * std::numbers::pi) - 2 * std::log(40.0) +
                  std::log1p(-3.0 / 1600 + 15.0 / 2560000),
              1e-6);  // ...but log EI follows the asymptote phi(z) / z^2 (1 - 3/z^2 + 15/z^4)
}

TEST(LogEiTest, ContinuousAcrossTheBranches) {
  for (double z : {-1.0, -60.0}) {
    const double h = 1e-7;
    double slope = 0;
    LogH(z, &slope);
    // The step across the branch point is the function's own slope times the gap, nothing more.
    EXPECT_NEAR(LogH(z + h) - LogH(z - h), 2 * h * slope, 1e-9) << z;
  }
}

TEST(LogEiTest, DerivativesMatchFiniteDifferences) {
  for (double z : {-100.0, -30.0, -3.0, -1.0, -0.5, 0.0, 2.0, 9.0}) {
    double d = 0;
    LogH(z, &d);
    double h = 1e-6 * std::max(1.0, std::abs(z));
    double numeric = (LogH(z + h) - LogH(z - h)) / (2 * h);
    EXPECT_NEAR(d, numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << z;
  }
  double d_mean = 0, d_var = 0;
  const double mean = 0.4, var = 0.09, best = -0.1;
  LogExpectedImprovement(mean, var, best, &d_mean, &d_var);
  const double h = 1e-7;
  EXPECT_NEAR(d_mean,
              (LogExpectedImprovement(mean + h, var, best) - LogExpectedImprovement(mean - h, var, best)) / (2 * h),
              1e-5);
  EXPECT_NEAR(d_var,
              (LogExpectedImprovement(mean, var + h, best) - LogExpectedImprovement(mean, var - h, best)) / (2 * h),
              1e-5);
}

TEST(LogEiTest, ErfcxAgreesAcrossItsBranches) {
  EXPECT_NEAR(Erfcx(0.0), 1.0, 1e-15);
  EXPECT_NEAR(Erfcx(1.0), std::exp(1.0) * std::erfc(1.0), 1e-15);
  // Across the switch to the asymptotic series at 26: no jump beyond the function's own change
  // over the gap (about 1e-10 relative) and its rounding (about 1e-13).
  EXPECT_NEAR(Erfcx(26 - 1e-9) / Erfcx(26 + 1e-9), 1.0, 1e-9);
  EXPECT_NEAR(Erfcx(1e6) * 1e6 * std::sqrt(std::numbers::pi), 1.0, 1e-12);
}

TEST(LogEiAcquisitionTest, GradientMatchesFiniteDifferences) {
  GpData data;
  data.feature_dims = {0, 1};
  data.num_dims = 2;
  Rng rng(4);
  for (int i = 0; i < 15; ++i) {
    double a = rng.Uniform(), b = rng.Uniform();
    data.x.insert(data.x.end(), {a, b});
    data.y.push_back(std::cos(4 * a) * b);
  }
  auto gp = GaussianProcess::Fit(data, {});
  ASSERT_TRUE(gp.ok());
  // Incumbents that put z at -1 and at -6 (where EI is ~1e-10 of sigma) at the test point.
  std::vector<double> x = {0.41, 0.77}, gradient(2);
  double mean = 0, var = 0;
  gp->Predict(x.data(), &mean, &var);
  ASSERT_GT(var, 1e-6);
  for (double z : {-1.0, -6.0}) {
    LogEiAcquisition acquisition(*gp, mean + z * std::sqrt(var));
    double value = acquisition.ValueAndGradient(x.data(), gradient.data());
    EXPECT_DOUBLE_EQ(value, acquisition.Value(x.data()));
    EXPECT_NEAR(value, acquisition.Values(x)[0], 1e-9);
    for (int f = 0; f < 2; ++f) {
      const double h = 1e-6;
      std::vector<double> up = x, down = x;
      up[f] += h;
      down[f] -= h;
      EXPECT_NEAR(gradient[f], (acquisition.Value(up.data()) - acquisition.Value(down.data())) / (2 * h),
                  1e-4 * std::max(1.0, std::abs(gradient[f])))
          << z << " " << f;
    }
  }
}

}  // namespace
}  // namespace trail::hpo
