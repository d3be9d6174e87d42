#include "hpo/bayes.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "hpo/encoding.h"
#include "hpo/random_search.h"
#include "hpo/rng.h"
#include "hpo/sobol.h"

namespace trail::hpo {
namespace {

// Stream tags, so that the draws of the different uses of one seed never coincide.
constexpr uint64_t kSobolSeedTag = 0x1d5e0;
constexpr uint64_t kFallbackSeedTag = 0xfa11bac;

bool Succeeded(const Observation& o) { return o.value.has_value() && std::isfinite(*o.value); }

// Which successful trials the model sees: all up to `max`; past that the best max/2 and the most
// recent of the others. Indices into `succeeded`, in increasing order.
std::vector<size_t> ModelPoints(const std::vector<double>& values, size_t max) {
  std::vector<size_t> all(values.size());
  std::iota(all.begin(), all.end(), 0);
  if (values.size() <= max) return all;
  std::vector<size_t> by_value = all;
  std::stable_sort(by_value.begin(), by_value.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<bool> keep(values.size(), false);
  for (size_t r = 0; r < max / 2; ++r) keep[by_value[r]] = true;
  size_t kept = max / 2;
  for (size_t i = values.size(); i-- > 0 && kept < max;) {
    if (!keep[i]) {
      keep[i] = true;
      ++kept;
    }
  }
  std::vector<size_t> out;
  for (size_t i : all) {
    if (keep[i]) out.push_back(i);
  }
  return out;
}

class BayesStrategy : public Strategy {
 public:
  BayesStrategy(const Space& space, uint64_t seed, const BayesOptions& options)
      : space_(space),
        encoding_(space_),
        seed_(seed),
        options_(options),
        initial_(options.initial_trials > 0 ? options.initial_trials
                                            : DefaultInitialTrials(static_cast<int>(space.dims.size()))),
        sobol_(static_cast<int>(space.dims.size()), seed ^ kSobolSeedTag) {}
  BayesStrategy(const BayesStrategy&) = delete;
  BayesStrategy& operator=(const BayesStrategy&) = delete;

  StatusOr<Point> Propose(const std::vector<Observation>& done, const std::vector<Point>& pending) override {
    const uint64_t index = done.size() + pending.size();
    const int f_count = encoding_.num_features();

    // Every tried point, encoded: done first (in order), then pending.
    std::vector<std::vector<double>> tried;
    for (size_t i = 0; i < done.size(); ++i) {
      tried.emplace_back(f_count);
      Status s = encoding_.Encode(done[i].x, tried.back().data());
      if (!s.ok()) return s.WithContext("observation " + std::to_string(i));
    }
    for (size_t i = 0; i < pending.size(); ++i) {
      tried.emplace_back(f_count);
      Status s = encoding_.Encode(pending[i], tried.back().data());
      if (!s.ok()) return s.WithContext("pending point " + std::to_string(i));
    }

    std::vector<size_t> succeeded;
    for (size_t i = 0; i < done.size(); ++i) {
      if (Succeeded(done[i])) succeeded.push_back(i);
    }
    if (succeeded.size() > static_cast<size_t>(std::max(options_.max_model_points, 2))) {
      std::vector<double> values;
      for (size_t i : succeeded) values.push_back(*done[i].value);
      std::vector<size_t> picked;
      for (size_t r : ModelPoints(values, static_cast<size_t>(std::max(options_.max_model_points, 2)))) {
        picked.push_back(succeeded[r]);
      }
      succeeded = std::move(picked);
    }
    if (index < static_cast<uint64_t>(initial_) || succeeded.size() < 2) {
      std::vector<double> u(encoding_.num_dims()), x(f_count);
      sobol_.Point(index, u.data());
      encoding_.FromUnitCube(u.data(), x.data());
      if (!IsTried(x, tried)) return encoding_.Decode(x.data());
      return Fallback(index, tried, x);
    }

    // Standardised values of the successful trials.
    std::vector<double> y;
    for (size_t i : succeeded) y.push_back(*done[i].value);
    double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
    double var = 0;
    for (double v : y) var += (v - mean) * (v - mean);
    double sd = std::sqrt(var / static_cast<double>(y.size()));
    if (!(sd > 1e-12 * std::max(1.0, std::abs(mean)))) sd = 1;
    for (double& v : y) v = (v - mean) / sd;
    const double best = *std::min_element(y.begin(), y.end());

    GpData data;
    data.feature_dims = encoding_.FeatureDims();
    data.num_dims = encoding_.num_dims();
    data.y = y;
    for (size_t i : succeeded) data.x.insert(data.x.end(), tried[i].begin(), tried[i].end());
    TRAIL_ASSIGN_OR_RETURN(GaussianProcess gp, GaussianProcess::Fit(std::move(data), options_.fit));

    // Fantasies for the running and the (most recent) failed trials: they did not improve.
    std::vector<size_t> fantasies;
    for (size_t i = done.size(); i < tried.size(); ++i) fantasies.push_back(i);
    size_t failed_budget = static_cast<size_t>(std::max(options_.max_model_points / 4, 1));
    for (size_t i = done.size(); i-- > 0 && failed_budget > 0;) {
      if (!Succeeded(done[i])) {
        fantasies.push_back(i);
        --failed_budget;
      }
    }
    if (!fantasies.empty()) {
      GpData augmented = gp.data();
      for (size_t i : fantasies) {
        double m = 0, v = 0;
        gp.Predict(tried[i].data(), &m, &v);
        augmented.x.insert(augmented.x.end(), tried[i].begin(), tried[i].end());
        augmented.y.push_back(std::max(m, best));
      }
      KernelParams params = gp.params();
      TRAIL_ASSIGN_OR_RETURN(gp, GaussianProcess::Condition(std::move(augmented), params));
    }

    LogEiAcquisition acquisition(gp, best);
    std::vector<std::vector<double>> warm = WarmStarts(succeeded, y, tried, index);
    std::vector<AcquisitionOptimum> results =
        MaximizeAcquisition(encoding_, acquisition, warm, seed_, index, options_.search);
    for (const AcquisitionOptimum& r : results) {
      if (!IsTried(r.features, tried)) return encoding_.Decode(r.features.data());
    }
    return Fallback(index, tried, results.front().features);
  }

 private:
  bool IsTried(const std::vector<double>& x, const std::vector<std::vector<double>>& tried) const {
    for (const std::vector<double>& t : tried) {
      if (encoding_.SamePoint(x.data(), t.data())) return true;
    }
    return false;
  }

  // The two best trials, nudged off themselves (the acquisition is flat at a point already known).
  std::vector<std::vector<double>> WarmStarts(const std::vector<size_t>& succeeded, const std::vector<double>& y,
                                              const std::vector<std::vector<double>>& tried, uint64_t index) const {
    std::vector<size_t> order(y.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return y[a] < y[b]; });
    Rng rng = Rng::ForStream(seed_ ^ kFallbackSeedTag, index);
    std::vector<std::vector<double>> out;
    for (size_t r = 0; r < std::min<size_t>(2, order.size()); ++r) {
      std::vector<double> x = tried[succeeded[order[r]]];
      for (int i = 0; i < encoding_.num_dims(); ++i) {
        const Encoding::Slot& s = encoding_.slot(i);
        if (s.kind == Encoding::Kind::kContinuous) x[s.feature] += 0.01 * rng.Normal();
      }
      encoding_.Snap(x.data());
      out.push_back(std::move(x));
    }
    return out;
  }

  // A random point that was not tried yet, or `otherwise` when 100 draws find none.
  Point Fallback(uint64_t index, const std::vector<std::vector<double>>& tried, const std::vector<double>& otherwise) {
    std::vector<double> x(encoding_.num_features());
    for (uint64_t attempt = 0; attempt < 100; ++attempt) {
      Point p = RandomPoint(encoding_.space(), seed_ ^ kFallbackSeedTag, index * 100 + attempt);
      if (encoding_.Encode(p, x.data()).ok() && !IsTried(x, tried)) return p;
    }
    return encoding_.Decode(otherwise.data());
  }

  Space space_;  // before encoding_, which points to it
  Encoding encoding_;
  uint64_t seed_;
  BayesOptions options_;
  int initial_;
  SobolSequence sobol_;
};

}  // namespace

int DefaultInitialTrials(int dims) { return std::clamp(dims + 2, 5, 10); }

std::unique_ptr<Strategy> MakeBayesStrategy(const Space& space, uint64_t seed, const BayesOptions& options) {
  return std::make_unique<BayesStrategy>(space, seed, options);
}

}  // namespace trail::hpo
