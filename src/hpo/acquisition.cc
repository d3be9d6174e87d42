#include "hpo/acquisition.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace trail::hpo {
namespace {

const double kLogSqrt2Pi = 0.5 * std::log(2 * std::numbers::pi);
const double kSqrtHalfPi = std::sqrt(std::numbers::pi / 2);
const double kInvSqrt2 = 1 / std::numbers::sqrt2;

double NormalPdf(double z) { return std::exp(-0.5 * z * z - kLogSqrt2Pi); }
double NormalCdf(double z) { return 0.5 * std::erfc(-z * kInvSqrt2); }

}  // namespace

double Erfcx(double x) {
  // exp(x^2) erfc(x) is exact enough while erfc does not underflow (x < 26); beyond, the
  // asymptotic series 1/(x sqrt(pi)) * (1 - 1/(2x^2) + 3/(2x^2)^2 - 15/(2x^2)^3 + ...) converges
  // to full precision within a few terms.
  if (x < 26.0) return std::exp(x * x) * std::erfc(x);
  double inv = 1 / (2 * x * x);
  double term = 1, sum = 1;
  for (int k = 1; k <= 8; ++k) {
    term *= -(2 * k - 1) * inv;
    sum += term;
  }
  return sum / (x * std::sqrt(std::numbers::pi));
}

double LogH(double z, double* derivative) {
  if (z > -1.0) {
    double cdf = NormalCdf(z);
    double h = NormalPdf(z) + z * cdf;
    if (derivative) *derivative = cdf / h;
    return std::log(h);
  }
  // For z < 0: h(z) = phi(z) (1 - v) with v = |z| * Phi(z)/phi(z) = |z| sqrt(pi/2) erfcx(|z|/sqrt2),
  // and Phi(z)/phi(z) is the Mills ratio. 1 - v ~ 1/z^2 loses digits as z falls, so far out we use
  // 1 - v = 1/z^2 - 3/z^4 + 15/z^6 - 105/z^8 + ...
  double a = -z;
  double mills = kSqrtHalfPi * Erfcx(a * kInvSqrt2);
  double one_minus_v;
  if (a < 60.0) {
    one_minus_v = 1 - a * mills;
  } else {
    double inv2 = 1 / (a * a);
    one_minus_v = inv2 * (1 - 3 * inv2 * (1 - 5 * inv2 * (1 - 7 * inv2)));
  }
  if (derivative) *derivative = mills / one_minus_v;
  return -0.5 * z * z - kLogSqrt2Pi + std::log(one_minus_v);
}

double LogExpectedImprovement(double mean, double variance, double best, double* d_mean, double* d_variance) {
  const bool clamped = variance < kMinVariance;
  const double sigma = std::sqrt(std::max(variance, kMinVariance));
  const double z = (best - mean) / sigma;
  double dlogh = 0;
  double value = std::log(sigma) + LogH(z, &dlogh);
  if (d_mean) *d_mean = -dlogh / sigma;
  if (d_variance) {
    // d/dsigma = 1/sigma - dlogh z / sigma; d sigma / d variance = 1 / (2 sigma).
    *d_variance = clamped ? 0.0 : (1 - dlogh * z) / (2 * variance);
  }
  return value;
}

double LogEiAcquisition::Value(const double* x) const {
  double mean = 0, variance = 0;
  gp_.Predict(x, &mean, &variance);
  return LogExpectedImprovement(mean, variance, best_);
}

double LogEiAcquisition::ValueAndGradient(const double* x, double* gradient) const {
  const int f_count = num_features();
  double mean = 0, variance = 0;
  std::vector<double> dmean(f_count), dvar(f_count);
  gp_.Predict(x, &mean, &variance, dmean.data(), dvar.data());
  double d_mean = 0, d_variance = 0;
  double value = LogExpectedImprovement(mean, variance, best_, &d_mean, &d_variance);
  for (int f = 0; f < f_count; ++f) gradient[f] = d_mean * dmean[f] + d_variance * dvar[f];
  return value;
}

std::vector<double> LogEiAcquisition::Values(const std::vector<double>& xs) const {
  std::vector<double> mean, variance;
  gp_.PredictBatch(xs, &mean, &variance);
  std::vector<double> out(mean.size());
  for (size_t i = 0; i < mean.size(); ++i) out[i] = LogExpectedImprovement(mean[i], variance[i], best_);
  return out;
}

}  // namespace trail::hpo
