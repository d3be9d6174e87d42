#include "hpo/gaussian_process.h"

#include <gtest/gtest.h>

#include <cmath>

#include "hpo/rng.h"

namespace trail::hpo {
namespace {

double Truth(double x) { return std::sin(6 * x) + 0.5 * x; }

GpData OneDimensional(int n) {
  GpData data;
  data.feature_dims = {0};
  data.num_dims = 1;
  for (int i = 0; i < n; ++i) {
    double x = (i + 0.5) / n;
    data.x.push_back(x);
    data.y.push_back(Truth(x));
  }
  return data;
}

// Three dims: one numeric, one numeric, one choice of two one-hot features.
GpData Mixed(int n, uint64_t seed) {
  GpData data;
  data.feature_dims = {0, 1, 2, 2};
  data.num_dims = 3;
  Rng rng(seed);
  for (int i = 0; i < n; ++i) {
    double a = rng.Uniform(), b = rng.Uniform();
    bool hot = rng.Uniform() < 0.5;
    data.x.insert(data.x.end(), {a, b, hot ? 0.7071 : 0.0, hot ? 0.0 : 0.7071});
    data.y.push_back(std::sin(3 * a) + b * b + (hot ? 0.5 : -0.5) + 0.01 * rng.Normal());
  }
  return data;
}

TEST(GaussianProcessTest, FitsASmoothFunctionAndPredictsIt) {
  auto gp = GaussianProcess::Fit(OneDimensional(12), {});
  ASSERT_TRUE(gp.ok()) << gp.status().message();
  double worst = 0;
  for (int i = 0; i <= 100; ++i) {
    double x = 0.05 + 0.9 * i / 100.0, mean = 0, var = 0;
    gp->Predict(&x, &mean, &var);
    worst = std::max(worst, std::abs(mean - Truth(x)));
    EXPECT_GE(var, 0);
  }
  EXPECT_LT(worst, 0.02);
  // Noise-free data: the fitted noise stays near its floor, and the model is sure at the data.
  EXPECT_LT(gp->params().noise_variance, 1e-3);
  double at = 0.5 / 12, mean = 0, var_at = 0, var_far = 0;
  gp->Predict(&at, &mean, &var_at);
  double far = 1.0;
  gp->Predict(&far, &mean, &var_far);
  EXPECT_LT(var_at, 1e-3);
  EXPECT_GT(var_far, 10 * var_at);
}

TEST(GaussianProcessTest, LogPosteriorGradientMatchesFiniteDifferences) {
  GpData data = Mixed(25, 3);
  const double min_noise = 1e-6;
  for (std::vector<double> theta : {std::vector<double>{0.3, -0.5, 1.0, 0.2, std::log(1e-2)},
                                    std::vector<double>{2.0, 1.0, -1.0, -0.3, std::log(0.3)}}) {
    std::vector<double> gradient;
    double value = LogPosterior(data, theta, min_noise, &gradient);
    ASSERT_TRUE(std::isfinite(value));
    EXPECT_EQ(value, LogPosterior(data, theta, min_noise, nullptr));
    for (size_t i = 0; i < theta.size(); ++i) {
      const double h = 1e-5;
      std::vector<double> up = theta, down = theta;
      up[i] += h;
      down[i] -= h;
      double numeric =
          (LogPosterior(data, up, min_noise, nullptr) - LogPosterior(data, down, min_noise, nullptr)) / (2 * h);
      EXPECT_NEAR(gradient[i], numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << "theta " << i;
    }
  }
}

TEST(GaussianProcessTest, ThetaRoundTrips) {
  KernelParams p{{0.5, 3.0}, 1.5, 0.02};
  KernelParams back = ParamsFromTheta(ThetaFromParams(p, 1e-6), 1e-6);
  EXPECT_DOUBLE_EQ(back.inverse_squared_lengthscales[1], 3.0);
  EXPECT_DOUBLE_EQ(back.signal_variance, 1.5);
  EXPECT_NEAR(back.noise_variance, 0.02, 1e-15);
}

TEST(GaussianProcessTest, PredictionGradientsMatchFiniteDifferences) {
  auto gp = GaussianProcess::Fit(Mixed(30, 5), {});
  ASSERT_TRUE(gp.ok());
  std::vector<double> x = {0.3, 0.6, 0.7071, 0.0};
  double mean = 0, var = 0;
  std::vector<double> dmean(4), dvar(4);
  gp->Predict(x.data(), &mean, &var, dmean.data(), dvar.data());
  for (int f = 0; f < 4; ++f) {
    const double h = 1e-6;
    std::vector<double> up = x, down = x;
    up[f] += h;
    down[f] -= h;
    double mu = 0, vu = 0, md = 0, vd = 0;
    gp->Predict(up.data(), &mu, &vu);
    gp->Predict(down.data(), &md, &vd);
    EXPECT_NEAR(dmean[f], (mu - md) / (2 * h), 1e-5) << f;
    EXPECT_NEAR(dvar[f], (vu - vd) / (2 * h), 1e-5) << f;
  }
}

TEST(GaussianProcessTest, BatchPredictionMatchesSinglePredictions) {
  auto gp = GaussianProcess::Fit(Mixed(20, 8), {});
  ASSERT_TRUE(gp.ok());
  Rng rng(1);
  std::vector<double> xs;
  for (int i = 0; i < 7; ++i) xs.insert(xs.end(), {rng.Uniform(), rng.Uniform(), 0.0, 0.7071});
  std::vector<double> means, vars;
  gp->PredictBatch(xs, &means, &vars);
  ASSERT_EQ(means.size(), 7u);
  for (int i = 0; i < 7; ++i) {
    double m = 0, v = 0;
    gp->Predict(&xs[4 * i], &m, &v);
    EXPECT_NEAR(means[i], m, 1e-9);
    EXPECT_NEAR(vars[i], v, 1e-9);
  }
}

TEST(GaussianProcessTest, ConditionKeepsTheGivenParameters) {
  KernelParams p{{4.0}, 2.0, 0.1};
  auto gp = GaussianProcess::Condition(OneDimensional(5), p);
  ASSERT_TRUE(gp.ok());
  EXPECT_EQ(gp->params().signal_variance, 2.0);
  // Far from the data, the posterior returns to the prior: mean 0, variance = signal variance.
  double x = 50, mean = 1, var = 0;
  gp->Predict(&x, &mean, &var);
  EXPECT_NEAR(mean, 0, 1e-9);
  EXPECT_NEAR(var, 2.0, 1e-9);
}

TEST(GaussianProcessTest, FitIsDeterministic) {
  auto a = GaussianProcess::Fit(Mixed(30, 11), {});
  auto b = GaussianProcess::Fit(Mixed(30, 11), {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->params().inverse_squared_lengthscales, b->params().inverse_squared_lengthscales);
  EXPECT_EQ(a->params().noise_variance, b->params().noise_variance);
}

TEST(GaussianProcessTest, DuplicatePointsDoNotBreakTheFit) {
  GpData data;
  data.feature_dims = {0};
  data.num_dims = 1;
  data.x = {0.5, 0.5, 0.5, 0.2};
  data.y = {1.0, 1.0, -1.0, 0.0};
  auto gp = GaussianProcess::Fit(data, {});
  ASSERT_TRUE(gp.ok()) << gp.status().message();
  double x = 0.5, mean = 0, var = 0;
  gp->Predict(&x, &mean, &var);
  EXPECT_TRUE(std::isfinite(mean));
}

}  // namespace
}  // namespace trail::hpo
