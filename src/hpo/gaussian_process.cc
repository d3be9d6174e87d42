#include "hpo/gaussian_process.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <nlopt.hpp>
#include <numbers>

namespace trail::hpo {
namespace {

using Eigen::ArrayXXd;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

const double kSqrt5 = std::sqrt(5.0);
const double kLog2Pi = std::log(2 * std::numbers::pi);

// Bounds on theta. The priors keep the optimum well inside; the bounds only stop a line search
// from wandering into overflow.
constexpr double kMinLogLambda = -9.0, kMaxLogLambda = 12.0;
constexpr double kMinLogSignal = -7.0, kMaxLogSignal = 5.0;
constexpr double kMinLogNoise = -30.0, kMaxLogNoise = 2.0;

// Log priors (constants dropped) and their derivatives with respect to the log parameter.
double LambdaLogPrior(double lambda, double* d_log) {
  *d_log = 0.1 / lambda - 0.1 * lambda;
  return -(0.1 / lambda + 0.1 * lambda);
}
double GammaLogPrior(double x, double shape, double rate, double* d_x) {
  *d_x = (shape - 1) / x - rate;
  return (shape - 1) * std::log(x) - rate * x;
}

// Matern-5/2 as a function of r^2, elementwise, and its derivative with respect to r^2.
void Matern52(const ArrayXXd& r2, ArrayXXd* m, ArrayXXd* dm_dr2) {
  ArrayXXd r = r2.max(0.0).sqrt();
  ArrayXXd e = (-kSqrt5 * r).exp();
  *m = (1.0 + kSqrt5 * r + (5.0 / 3.0) * r2) * e;
  if (dm_dr2) *dm_dr2 = (-5.0 / 6.0) * (1.0 + kSqrt5 * r) * e;
}

RowMatrix FeatureMatrix(const GpData& data) {
  return Eigen::Map<const RowMatrix>(data.x.data(), data.size(), data.num_features());
}

// The fitting objective with everything that does not depend on theta computed once (the squared
// distances between the training points, per dim) and its work matrices allocated once. Every
// matrix here is symmetric, so only the lower triangle is computed (LLT reads nothing else) and
// the trace terms of the gradient are sums over it, the off-diagonal part counted twice.
class FitProblem {
 public:
  FitProblem(const GpData& data, double min_noise)
      : data_(data), min_noise_(min_noise), n_(data.size()), llt_(data.size()) {
    y_ = Eigen::Map<const VectorXd>(data.y.data(), n_);
    RowMatrix x = FeatureMatrix(data);
    sq_dist_.assign(data.num_dims, ArrayXXd::Zero(n_, n_));
    for (int f = 0; f < data.num_features(); ++f) {
      ArrayXXd& s = sq_dist_[data.feature_dims[f]];
      for (int j = 0; j < n_; ++j) {
        for (int i = j; i < n_; ++i) {
          double d = x(i, f) - x(j, f);
          s(i, j) += d * d;
        }
      }
    }
    for (ArrayXXd* a : {&r2_, &r_, &e_, &m_, &dm_, &h_}) a->resize(n_, n_);
    k_.resize(n_, n_);
    w_.resize(n_, n_);
  }

  int num_params() const { return data_.num_dims + 2; }

  double Evaluate(const double* theta, double* gradient) {
    const int n = n_, g_count = data_.num_dims;
    const double signal = std::exp(theta[g_count]);
    const double noise = std::exp(theta[g_count + 1]) + min_noise_;
    for (int j = 0; j < n; ++j) {
      const int len = n - j;
      auto r2 = r2_.col(j).tail(len);
      r2 = std::exp(theta[0]) * sq_dist_[0].col(j).tail(len);
      for (int g = 1; g < g_count; ++g) r2 += std::exp(theta[g]) * sq_dist_[g].col(j).tail(len);
      auto r = r_.col(j).tail(len);
      auto e = e_.col(j).tail(len);
      r = r2.sqrt();
      e = (-kSqrt5 * r).exp();
      m_.col(j).tail(len) = (1.0 + kSqrt5 * r + (5.0 / 3.0) * r2) * e;
      if (gradient) dm_.col(j).tail(len) = (-5.0 / 6.0) * (1.0 + kSqrt5 * r) * e;
      k_.col(j).tail(len) = signal * m_.col(j).tail(len).matrix();
      k_(j, j) += noise;
    }
    llt_.compute(k_);
    if (llt_.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
    alpha_ = llt_.solve(y_);
    double log_det = 2 * llt_.matrixLLT().diagonal().array().log().sum();
    double value = -0.5 * y_.dot(alpha_) - 0.5 * log_det - 0.5 * n * kLog2Pi;

    double d_lambda_prior = 0;
    for (int g = 0; g < g_count; ++g) {
      value += LambdaLogPrior(std::exp(theta[g]), &d_lambda_prior);
      if (gradient) gradient[g] = d_lambda_prior;
    }
    double d_signal = 0, d_noise = 0;
    value += GammaLogPrior(signal, 2.0, 1.0, &d_signal);
    value += GammaLogPrior(noise, 1.1, 30.0, &d_noise);
    if (!gradient) return value;

    // d/dtheta of the log marginal likelihood is tr(W dK/dtheta) / 2 with W = alpha alpha^T - K^-1.
    w_.setIdentity();
    llt_.solveInPlace(w_);
    double trace_w = 0, sum_wm = 0;
    std::vector<double> sum_h_s(g_count, 0.0);
    for (int j = 0; j < n; ++j) {
      const int len = n - j;
      auto w = w_.col(j).tail(len).array();
      w = alpha_(j) * alpha_.tail(len).array() - w;
      trace_w += w(0);
      // Off-diagonal entries count twice; the diagonal of m is 1 and of each sq_dist 0.
      sum_wm += 2 * (w * m_.col(j).tail(len)).sum() - w(0);
      auto h = h_.col(j).tail(len);
      h = w * dm_.col(j).tail(len);
      for (int g = 0; g < g_count; ++g) sum_h_s[g] += 2 * (h * sq_dist_[g].col(j).tail(len)).sum();
    }
    for (int g = 0; g < g_count; ++g) gradient[g] += 0.5 * std::exp(theta[g]) * signal * sum_h_s[g];
    gradient[g_count] = 0.5 * signal * sum_wm + signal * d_signal;
    gradient[g_count + 1] = (0.5 * trace_w + d_noise) * (noise - min_noise_);
    return value;
  }

 private:
  const GpData& data_;
  double min_noise_;
  int n_;
  VectorXd y_;
  std::vector<ArrayXXd> sq_dist_;  // lower triangles
  ArrayXXd r2_, r_, e_, m_, dm_, h_;
  MatrixXd k_, w_;
  VectorXd alpha_;
  Eigen::LLT<MatrixXd> llt_;
};

struct Search {
  FitProblem* problem;
  std::vector<double> best_theta;
  double best_value = -std::numeric_limits<double>::infinity();
};

// NLopt minimises; it sees the negated log posterior. The best point is tracked here because
// NLopt may end with an exception (roundoff) after having found it.
double NegativeLogPosterior(unsigned n, const double* theta, double* gradient, void* data) {
  auto* search = static_cast<Search*>(data);
  double value = search->problem->Evaluate(theta, gradient);
  if (!std::isfinite(value)) {
    if (gradient) std::fill(gradient, gradient + n, 0.0);
    return 1e300;
  }
  if (gradient) {
    for (unsigned i = 0; i < n; ++i) gradient[i] = -gradient[i];
  }
  if (value > search->best_value) {
    search->best_value = value;
    search->best_theta.assign(theta, theta + n);
  }
  return -value;
}

}  // namespace

std::vector<double> ThetaFromParams(const KernelParams& params, double min_noise) {
  std::vector<double> theta;
  for (double lambda : params.inverse_squared_lengthscales) theta.push_back(std::log(lambda));
  theta.push_back(std::log(params.signal_variance));
  theta.push_back(std::log(std::max(params.noise_variance - min_noise, 1e-300)));
  return theta;
}

KernelParams ParamsFromTheta(const std::vector<double>& theta, double min_noise) {
  KernelParams p;
  const size_t g_count = theta.size() - 2;
  for (size_t g = 0; g < g_count; ++g) p.inverse_squared_lengthscales.push_back(std::exp(theta[g]));
  p.signal_variance = std::exp(theta[g_count]);
  p.noise_variance = std::exp(theta[g_count + 1]) + min_noise;
  return p;
}

double LogPosterior(const GpData& data, const std::vector<double>& theta, double min_noise,
                    std::vector<double>* gradient) {
  FitProblem problem(data, min_noise);
  if (gradient) gradient->assign(theta.size(), 0.0);
  return problem.Evaluate(theta.data(), gradient ? gradient->data() : nullptr);
}

struct GaussianProcess::Impl {
  GpData data;
  KernelParams params;
  RowMatrix x;
  Eigen::ArrayXd feature_lambda;  // lambda of each feature's dim
  VectorXd alpha;                 // K^-1 y
  // L^-1 for the Cholesky factor L of K. Variances come from |L^-1 k|^2 rather than k^T K^-1 k:
  // where the model is sure (variance near the noise floor) s - k^T K^-1 k cancels to a few digits,
  // since K^-1 carries K's condition number and L^-1 only its square root, and a noisy variance
  // would give the acquisition search a rough surface. Explicit, so predictions are products.
  MatrixXd chol_inverse;
};

StatusOr<GaussianProcess> GaussianProcess::Fit(GpData data, const GpFitOptions& options) {
  FitProblem problem(data, options.min_noise);
  const int g_count = data.num_dims;
  const int p = problem.num_params();

  // Fixed starting guesses, best first by value: the priors' mode with little noise, then a wiggly
  // and a smooth one. Fixed, not random, so the same data always gives the same model.
  struct Guess {
    double log_lambda, log_signal, log_noise;
  };
  const Guess guesses[] = {
      {0.0, 0.0, std::log(1e-2)}, {std::log(10.0), 0.0, std::log(1e-4)}, {std::log(0.1), 0.0, std::log(1e-1)}};
  std::vector<std::pair<double, std::vector<double>>> starts;
  for (const Guess& g : guesses) {
    std::vector<double> theta(p, g.log_lambda);
    theta[g_count] = g.log_signal;
    theta[g_count + 1] = g.log_noise;
    double v = problem.Evaluate(theta.data(), nullptr);
    starts.emplace_back(std::isfinite(v) ? v : -std::numeric_limits<double>::infinity(), theta);
  }
  std::stable_sort(starts.begin(), starts.end(), [](const auto& a, const auto& b) { return a.first > b.first; });

  std::vector<double> lower(p, kMinLogLambda), upper(p, kMaxLogLambda);
  lower[g_count] = kMinLogSignal;
  upper[g_count] = kMaxLogSignal;
  lower[g_count + 1] = kMinLogNoise;
  upper[g_count + 1] = kMaxLogNoise;

  Search best{&problem, starts.front().second, starts.front().first};
  int restarts = std::clamp(options.restarts, 1, static_cast<int>(starts.size()));
  for (int r = 0; r < restarts; ++r) {
    Search search{&problem, starts[r].second, starts[r].first};
    try {
      nlopt::opt opt(nlopt::LD_LBFGS, static_cast<unsigned>(p));
      opt.set_lower_bounds(lower);
      opt.set_upper_bounds(upper);
      opt.set_min_objective(NegativeLogPosterior, &search);
      opt.set_maxeval(options.max_evaluations);
      opt.set_ftol_abs(1e-6);
      opt.set_xtol_abs(1e-4);
      std::vector<double> theta = starts[r].second;
      double f = 0;
      opt.optimize(theta, f);
    } catch (const std::exception&) {
      // Roundoff-limited or stopped: keep the best point seen.
    }
    if (search.best_value > best.best_value) best = search;
  }
  if (!std::isfinite(best.best_value)) {
    return Internal("Gaussian process: the kernel matrix is not positive definite for any parameters");
  }
  return Condition(std::move(data), ParamsFromTheta(best.best_theta, options.min_noise));
}

StatusOr<GaussianProcess> GaussianProcess::Condition(GpData data, const KernelParams& params) {
  auto impl = std::make_unique<Impl>();
  const int n = data.size();
  impl->x = FeatureMatrix(data);
  impl->feature_lambda.resize(data.num_features());
  for (int f = 0; f < data.num_features(); ++f) {
    impl->feature_lambda[f] = params.inverse_squared_lengthscales[data.feature_dims[f]];
  }
  ArrayXXd r2 = ArrayXXd::Zero(n, n);
  for (int j = 0; j < n; ++j) {
    r2.col(j) = ((impl->x.rowwise() - impl->x.row(j)).array().square().rowwise() * impl->feature_lambda.transpose())
                    .rowwise()
                    .sum();
  }
  ArrayXXd m;
  Matern52(r2, &m, nullptr);
  MatrixXd k = params.signal_variance * m.matrix();
  k.diagonal().array() += params.noise_variance;
  Eigen::LLT<MatrixXd> llt(k);
  if (llt.info() != Eigen::Success) {
    return Internal("Gaussian process: the kernel matrix is not positive definite");
  }
  impl->alpha = llt.solve(Eigen::Map<const VectorXd>(data.y.data(), n));
  impl->chol_inverse = MatrixXd::Identity(n, n);
  llt.matrixL().solveInPlace(impl->chol_inverse);
  impl->params = params;
  impl->data = std::move(data);
  return GaussianProcess(std::move(impl));
}

GaussianProcess::GaussianProcess(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GaussianProcess::GaussianProcess(GaussianProcess&&) noexcept = default;
GaussianProcess& GaussianProcess::operator=(GaussianProcess&&) noexcept = default;
GaussianProcess::~GaussianProcess() = default;

const KernelParams& GaussianProcess::params() const { return impl_->params; }
const GpData& GaussianProcess::data() const { return impl_->data; }

void GaussianProcess::Predict(const double* x, double* mean, double* variance, double* mean_gradient,
                              double* variance_gradient) const {
  const Impl& s = *impl_;
  const int f_count = s.data.num_features();
  Eigen::Map<const Eigen::RowVectorXd> point(x, f_count);
  ArrayXXd diff = (s.x.rowwise() - point).array();  // X_i - x
  ArrayXXd r2 = (diff.square().rowwise() * s.feature_lambda.transpose()).rowwise().sum();
  ArrayXXd m, dm;
  const bool want_gradient = mean_gradient || variance_gradient;
  Matern52(r2, &m, want_gradient ? &dm : nullptr);
  VectorXd k = s.params.signal_variance * m.matrix();
  VectorXd v = s.chol_inverse.triangularView<Eigen::Lower>() * k;  // L^-1 k
  *mean = k.dot(s.alpha);
  *variance = std::max(s.params.signal_variance - v.squaredNorm(), 0.0);
  if (!want_gradient) return;
  v = s.chol_inverse.transpose().triangularView<Eigen::Upper>() * v;  // K^-1 k
  // dk_i/dx_f = signal * m'(r2_i) * 2 lambda_f (x_f - X_if) = -2 signal m'_i lambda_f diff_if.
  Eigen::ArrayXd scale = -2.0 * s.params.signal_variance * dm.col(0);
  if (mean_gradient) {
    Eigen::Map<Eigen::VectorXd> out(mean_gradient, f_count);
    out = (diff.matrix().transpose() * (scale * s.alpha.array()).matrix()).array() * s.feature_lambda;
  }
  if (variance_gradient) {
    Eigen::Map<Eigen::VectorXd> out(variance_gradient, f_count);
    out = -2.0 * (diff.matrix().transpose() * (scale * v.array()).matrix()).array() * s.feature_lambda;
  }
}

void GaussianProcess::PredictBatch(const std::vector<double>& xs, std::vector<double>* mean,
                                   std::vector<double>* variance) const {
  const Impl& s = *impl_;
  const int f_count = s.data.num_features();
  const int m_count = static_cast<int>(xs.size()) / f_count;
  mean->resize(m_count);
  variance->resize(m_count);
  // r2(i, j) = sum_f lambda_f (p_if - x_jf)^2 = |p_i|^2_l + |x_j|^2_l - 2 p_i . (l * x_j): one
  // product for the whole block. In blocks of kBlock points, so that the work matrices stay small
  // enough to be reused from the heap rather than mapped (and page-faulted) afresh on every call.
  constexpr int kBlock = 128;
  RowMatrix scaled = s.x.array().rowwise() * s.feature_lambda.transpose();
  Eigen::RowVectorXd xn = (s.x.array() * scaled.array()).rowwise().sum().transpose();
  MatrixXd cross, k, v;
  ArrayXXd r2, m;
  for (int first = 0; first < m_count; first += kBlock) {
    const int rows = std::min(kBlock, m_count - first);
    Eigen::Map<const RowMatrix> points(xs.data() + static_cast<size_t>(first) * f_count, rows, f_count);
    Eigen::VectorXd pn = (points.array().square().rowwise() * s.feature_lambda.transpose()).rowwise().sum();
    cross.noalias() = points * scaled.transpose();
    r2 = (((-2.0 * cross).colwise() + pn).rowwise() + xn).array().max(0.0);
    Matern52(r2, &m, nullptr);
    k = s.params.signal_variance * m.matrix().transpose();  // n x rows
    Eigen::Map<VectorXd>(mean->data() + first, rows).noalias() = k.transpose() * s.alpha;
    v.noalias() = s.chol_inverse.triangularView<Eigen::Lower>() * k;  // L^-1 k, column by column
    Eigen::Map<VectorXd>(variance->data() + first, rows) =
        (s.params.signal_variance - v.colwise().squaredNorm().transpose().array()).max(0.0).matrix();
  }
}

}  // namespace trail::hpo
