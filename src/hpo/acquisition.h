// Log expected improvement: the acquisition function bayes maximises.
//
// For minimisation with incumbent `best` and f(x) ~ N(mean, variance), sigma = sqrt(variance):
//   EI = E[max(best - f, 0)] = sigma * h(z),  z = (best - mean) / sigma,  h(z) = phi(z) + z Phi(z).
// EI underflows to 0 (and its gradient with it) over most of the space once the model is sure of
// itself, which leaves an optimiser nothing to climb; log EI stays finite and smooth there
// (Ament et al., "Unexpected Improvements to Expected Improvement for Bayesian Optimization",
// NeurIPS 2023). log h is computed through the scaled complementary error function erfcx for
// z < -1 and from an asymptotic series far out, so it is accurate for every finite z.
#pragma once

#include <vector>

#include "hpo/gaussian_process.h"

namespace trail::hpo {

// log h(z), and d log h / dz (= Phi(z) / h(z)) if `derivative` is not null.
double LogH(double z, double* derivative = nullptr);

// erfcx(x) = exp(x^2) erfc(x), for x >= 0 (used for x < 0 too, where it is computed directly).
double Erfcx(double x);

// log EI for minimisation, with its derivatives with respect to mean and variance if the pointers
// are set. Variances below kMinVariance are raised to it.
inline constexpr double kMinVariance = 1e-12;
double LogExpectedImprovement(double mean, double variance, double best, double* d_mean = nullptr,
                              double* d_variance = nullptr);

// log EI of a fitted GP: the function whose maximiser is the next proposal.
class LogEiAcquisition {
 public:
  // `gp` must outlive this object; `best` is the incumbent in the GP's (standardised) units.
  LogEiAcquisition(const GaussianProcess& gp, double best) : gp_(gp), best_(best) {}

  int num_features() const { return gp_.data().num_features(); }
  const GaussianProcess& gp() const { return gp_; }

  double Value(const double* x) const;
  // Value and gradient with respect to the features (num_features() values).
  double ValueAndGradient(const double* x, double* gradient) const;
  // Values at m points (xs: m rows of features, row-major).
  std::vector<double> Values(const std::vector<double>& xs) const;

 private:
  const GaussianProcess& gp_;
  double best_;
};

}  // namespace trail::hpo
