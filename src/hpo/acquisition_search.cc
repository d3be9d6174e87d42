#include "hpo/acquisition_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlopt.hpp>

#include "hpo/rng.h"
#include "hpo/sobol.h"

namespace trail::hpo {
namespace {

// Lattices with at most this many values are searched exhaustively.
constexpr uint64_t kExhaustiveLattice = 16;
constexpr int kMaxRounds = 20;

class LocalSearch {
 public:
  LocalSearch(const Encoding& encoding, const LogEiAcquisition& acquisition)
      : encoding_(encoding), acquisition_(acquisition) {
    const KernelParams& params = acquisition.gp().params();
    for (int i = 0; i < encoding.num_dims(); ++i) {
      const Encoding::Slot& s = encoding.slot(i);
      if (s.kind != Encoding::Kind::kContinuous) continue;
      continuous_.push_back(s.feature);
      lengthscale_.push_back(1 / std::sqrt(params.inverse_squared_lengthscales[i]));
    }
  }

  // Improves the snapped point x in place and returns its value.
  double Run(std::vector<double>& x) {
    double value = acquisition_.Value(x.data());
    // -1 is the continuous block, i >= 0 lattice or choice dim i. Stop once a full round has
    // passed since the last change.
    int last_changed = std::numeric_limits<int>::min();
    for (int round = 0; round < kMaxRounds; ++round) {
      if (last_changed == -1) return value;
      if (Continuous(x, value)) last_changed = -1;
      for (int i = 0; i < encoding_.num_dims(); ++i) {
        if (encoding_.slot(i).kind == Encoding::Kind::kContinuous) continue;
        if (last_changed == i) return value;
        if (Discrete(i, x, value)) last_changed = i;
      }
      if (last_changed == std::numeric_limits<int>::min()) return value;
    }
    return value;
  }

 private:
  struct Objective {
    LocalSearch* self;
    std::vector<double>* x;
    std::vector<double> gradient;
    std::vector<double> best_z;
    double best_value;
  };

  static double NegativeAcquisition(unsigned n, const double* z, double* grad, void* data) {
    auto* o = static_cast<Objective*>(data);
    LocalSearch& s = *o->self;
    std::vector<double>& x = *o->x;
    for (unsigned j = 0; j < n; ++j) x[s.continuous_[j]] = std::clamp(z[j] * s.lengthscale_[j], 0.0, 1.0);
    double value = s.acquisition_.ValueAndGradient(x.data(), o->gradient.data());
    if (!std::isfinite(value)) {
      if (grad) std::fill(grad, grad + n, 0.0);
      return 1e300;
    }
    if (grad) {
      for (unsigned j = 0; j < n; ++j) grad[j] = -o->gradient[s.continuous_[j]] * s.lengthscale_[j];
    }
    if (value > o->best_value) {
      o->best_value = value;
      o->best_z.assign(z, z + n);
    }
    return -value;
  }

  bool Continuous(std::vector<double>& x, double& value) {
    const unsigned n = static_cast<unsigned>(continuous_.size());
    if (n == 0) return false;
    std::vector<double> z(n), lower(n, 0.0), upper(n);
    for (unsigned j = 0; j < n; ++j) {
      z[j] = x[continuous_[j]] / lengthscale_[j];
      upper[j] = 1 / lengthscale_[j];
    }
    std::vector<double> start = x;
    Objective objective{this, &x, std::vector<double>(x.size()), z, value};
    try {
      nlopt::opt opt(nlopt::LD_LBFGS, n);
      opt.set_lower_bounds(lower);
      opt.set_upper_bounds(upper);
      opt.set_min_objective(NegativeAcquisition, &objective);
      opt.set_maxeval(100);
      opt.set_ftol_abs(1e-7);
      opt.set_xtol_abs(1e-7);
      double f = 0;
      opt.optimize(z, f);
    } catch (const std::exception&) {
      // Roundoff-limited or stopped: the best point seen is kept below.
    }
    x = start;
    if (objective.best_value <= value + 1e-12) return false;
    for (unsigned j = 0; j < n; ++j) x[continuous_[j]] = std::clamp(objective.best_z[j] * lengthscale_[j], 0.0, 1.0);
    value = objective.best_value;
    return true;
  }

  // Tries value k of dim i; keeps it if better.
  bool TryIndex(int i, uint64_t k, std::vector<double>& x, double& value, std::vector<double>& trial) {
    trial = x;
    const Encoding::Slot& s = encoding_.slot(i);
    if (s.kind == Encoding::Kind::kChoice) {
      encoding_.SetChoice(i, k, trial.data());
    } else {
      trial[s.feature] = encoding_.LatticeFeature(i, k);
    }
    double v = acquisition_.Value(trial.data());
    if (v > value + 1e-12) {
      x.swap(trial);
      value = v;
      return true;
    }
    return false;
  }

  bool Discrete(int i, std::vector<double>& x, double& value) {
    const Encoding::Slot& s = encoding_.slot(i);
    std::vector<double> trial;
    bool improved = false;
    if (s.kind == Encoding::Kind::kChoice || s.count <= kExhaustiveLattice) {
      uint64_t current = s.kind == Encoding::Kind::kChoice ? encoding_.ChoiceOf(i, x.data())
                                                           : encoding_.NearestLatticeIndex(i, x[s.feature]);
      for (uint64_t k = 0; k < s.count; ++k) {
        if (k != current) improved |= TryIndex(i, k, x, value, trial);
      }
      return improved;
    }
    // A long lattice: probe at distances 1, 2, 4, ... either way, then walk to better neighbours.
    const uint64_t start = encoding_.NearestLatticeIndex(i, x[s.feature]);
    for (uint64_t d = 1; d < s.count; d *= 2) {
      if (start >= d) improved |= TryIndex(i, start - d, x, value, trial);
      if (start + d < s.count) improved |= TryIndex(i, start + d, x, value, trial);
    }
    for (int walk = 0; walk < 64; ++walk) {
      uint64_t k = encoding_.NearestLatticeIndex(i, x[s.feature]);
      bool moved = false;
      if (k > 0) moved |= TryIndex(i, k - 1, x, value, trial);
      if (!moved && k + 1 < s.count) moved |= TryIndex(i, k + 1, x, value, trial);
      if (!moved) break;
      improved = true;
    }
    return improved;
  }

  const Encoding& encoding_;
  const LogEiAcquisition& acquisition_;
  std::vector<int> continuous_;
  std::vector<double> lengthscale_;
};

}  // namespace

std::vector<AcquisitionOptimum> MaximizeAcquisition(const Encoding& encoding, const LogEiAcquisition& acquisition,
                                                    const std::vector<std::vector<double>>& warm_starts, uint64_t seed,
                                                    uint64_t stream, const AcquisitionSearchOptions& options) {
  const int f_count = encoding.num_features();
  const int dims = encoding.num_dims();
  Rng rng = Rng::ForStream(seed, stream);

  // Score quasi-random candidates.
  const int m = std::max(options.candidates, 1);
  SobolSequence sobol(dims, rng.Next());
  std::vector<double> candidates(static_cast<size_t>(m) * f_count);
  std::vector<double> u(dims);
  for (int c = 0; c < m; ++c) {
    sobol.Point(static_cast<uint64_t>(c), u.data());
    encoding.FromUnitCube(u.data(), &candidates[static_cast<size_t>(c) * f_count]);
  }
  std::vector<double> scores = acquisition.Values(candidates);
  for (double& s : scores) {
    if (!std::isfinite(s)) s = -std::numeric_limits<double>::infinity();
  }
  auto row = [&](int c) {
    return std::vector<double>(candidates.begin() + static_cast<ptrdiff_t>(c) * f_count,
                               candidates.begin() + static_cast<ptrdiff_t>(c + 1) * f_count);
  };

  // Starts: the best candidate, then roulette picks weighted by exp(score - best score).
  std::vector<int> order(m);
  for (int c = 0; c < m; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  std::vector<std::vector<double>> starts = {row(order[0])};
  int picks = options.local_searches - 1 - static_cast<int>(warm_starts.size());
  std::vector<double> weight(m);
  double top = scores[order[0]];
  for (int c = 0; c < m; ++c) weight[c] = std::isfinite(top) ? std::exp(scores[c] - top) : 1.0;
  weight[order[0]] = 0;
  for (int p = 0; p < picks; ++p) {
    double total = 0;
    for (double w : weight) total += w;
    if (!(total > 0)) break;
    double target = rng.Uniform() * total;
    int chosen = m - 1;
    for (int c = 0; c < m; ++c) {
      target -= weight[c];
      if (target < 0 && weight[c] > 0) {
        chosen = c;
        break;
      }
    }
    if (weight[chosen] <= 0) break;
    weight[chosen] = 0;
    starts.push_back(row(chosen));
  }
  for (const std::vector<double>& w : warm_starts) {
    starts.push_back(w);
    encoding.Snap(starts.back().data());
  }

  LocalSearch search(encoding, acquisition);
  std::vector<AcquisitionOptimum> out;
  for (std::vector<double>& x : starts) {
    double value = search.Run(x);
    out.push_back({std::move(x), value});
  }
  // The best raw candidates too, as fallbacks when every local optimum repeats a tried point.
  for (int r = 0; r < std::min(m, 2 * options.local_searches); ++r) out.push_back({row(order[r]), scores[order[r]]});
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.value > b.value; });
  return out;
}

}  // namespace trail::hpo
