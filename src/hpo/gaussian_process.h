// A Gaussian process regressor with a Matern-5/2 kernel and one length scale per parameter (ARD),
// the model behind the bayes strategy.
//
//   k(x, x') = s * m(r),  m(r) = (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r),
//   r^2 = sum over dims g of  lambda_g * sum over the features f of g of (x_f - x'_f)^2
//
// s is the signal variance, lambda_g = 1 / lengthscale_g^2 the inverse squared length scales, and
// observations carry Gaussian noise of variance `noise`. The prior mean is zero: callers
// standardise y. Inputs are features in [0, 1] (hpo/encoding.h); the features of one dim (the
// one-hot columns of a choice) share one length scale.
//
// The kernel parameters are fitted by maximum a posteriori: log marginal likelihood plus weak
// priors that keep them in a sensible region when there are few points:
//   lambda_g:  log p = -(0.1 / lambda + 0.1 lambda)   (peaks at length scale 1, the whole range)
//   s:         Gamma(2, 1)
//   noise:     Gamma(1.1, 30), plus a floor `min_noise` (1e-6: objectives may be deterministic)
// maximised with L-BFGS over theta = (log lambda_1..G, log s, log(noise - min_noise)) with analytic
// gradients. The header is free of Eigen (a private dependency of trail_hpo); the .cc uses it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "trail/status.h"

namespace trail::hpo {

struct KernelParams {
  std::vector<double> inverse_squared_lengthscales;  // one per dim (group of features)
  double signal_variance = 1.0;
  double noise_variance = 1e-2;
};

// Training data: n points of num_features() features each.
struct GpData {
  std::vector<int> feature_dims;  // for each feature, its dim in [0, num_dims)
  int num_dims = 0;
  std::vector<double> x;  // n rows of feature_dims.size() values, row-major
  std::vector<double> y;  // n values, standardised by the caller

  int num_features() const { return static_cast<int>(feature_dims.size()); }
  int size() const { return static_cast<int>(y.size()); }
};

struct GpFitOptions {
  double min_noise = 1e-6;
  // Local optimisations of the kernel parameters, each from the best of a few fixed starting
  // guesses (the first is the prior's mode; all are deterministic, so refits are reproducible).
  int restarts = 1;
  int max_evaluations = 200;
};

// The fitting objective, exposed for tests: log marginal likelihood + log prior at
// theta = (log lambda_1..G, log s, log(noise - min_noise)), and its gradient if `gradient` is not
// null. -infinity if the kernel matrix is not positive definite.
double LogPosterior(const GpData& data, const std::vector<double>& theta, double min_noise,
                    std::vector<double>* gradient);
std::vector<double> ThetaFromParams(const KernelParams& params, double min_noise);
KernelParams ParamsFromTheta(const std::vector<double>& theta, double min_noise);

class GaussianProcess {
 public:
  // Fits the kernel parameters to `data` and conditions on it. Internal error only if the data
  // is degenerate beyond what the noise floor can fix (NaN inputs).
  static StatusOr<GaussianProcess> Fit(GpData data, const GpFitOptions& options);
  // Conditions on `data` with the given kernel parameters (no fitting).
  static StatusOr<GaussianProcess> Condition(GpData data, const KernelParams& params);

  GaussianProcess(GaussianProcess&&) noexcept;
  GaussianProcess& operator=(GaussianProcess&&) noexcept;
  ~GaussianProcess();

  const KernelParams& params() const;
  const GpData& data() const;

  // Posterior mean and variance of the latent function (without noise) at one point of
  // num_features() features. With the gradient pointers set, also their gradients with respect to
  // the features (num_features() values each).
  void Predict(const double* x, double* mean, double* variance, double* mean_gradient = nullptr,
               double* variance_gradient = nullptr) const;
  // The same for m points at once (xs: m rows, row-major); faster per point.
  void PredictBatch(const std::vector<double>& xs, std::vector<double>* mean, std::vector<double>* variance) const;

 private:
  struct Impl;
  explicit GaussianProcess(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace trail::hpo
