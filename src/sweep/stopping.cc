#include "sweep/stopping.h"

#include <algorithm>
#include <cmath>

#include "base/numbers.h"

namespace trail::sweep {
namespace {

bool Better(Goal goal, double a, double b, double min_delta) {
  return goal == Goal::kMinimize ? a < b - min_delta : a > b + min_delta;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::optional<std::string> CheckPatience(const EarlyStop& rule, const std::vector<metrics::Point>& series) {
  std::optional<double> best;
  int64_t since_best = 0;
  int64_t best_step = 0;
  for (const auto& p : series) {
    if (!std::isfinite(p.value)) {
      ++since_best;
    } else if (!best || Better(rule.goal, p.value, *best, rule.min_delta)) {
      best = p.value;
      best_step = p.step;
      since_best = 0;
    } else {
      ++since_best;
    }
  }
  if (best && since_best >= rule.patience) {
    return "early stop: " + rule.metric + " did not improve on " + Num(*best) + " (step " + std::to_string(best_step) +
           ") for " + std::to_string(since_best) + " steps (patience " + std::to_string(rule.patience) + ")";
  }
  return std::nullopt;
}

StepValues ByStep(const std::vector<metrics::Point>& series) {
  StepValues out;
  for (const auto& p : series) {
    if (std::isfinite(p.value)) out[p.step] = p.value;
  }
  return out;
}

std::optional<std::string> CheckMedian(const Prune& rule, const std::vector<metrics::Point>& series,
                                       const std::vector<StepValues>& earlier_trials) {
  if (series.empty()) return std::nullopt;
  const int64_t step = series.back().step;
  if (step < rule.after_steps) return std::nullopt;
  std::optional<double> best;
  for (const auto& p : series) {
    if (std::isfinite(p.value) && (!best || Better(rule.goal, p.value, *best, 0))) best = p.value;
  }
  if (!best) return std::nullopt;
  std::vector<double> votes;
  for (const auto& t : earlier_trials) {
    auto it = t.find(step);
    if (it != t.end()) votes.push_back(it->second);
  }
  if (static_cast<int64_t>(votes.size()) < rule.min_trials || votes.empty()) return std::nullopt;
  std::sort(votes.begin(), votes.end());
  size_t n = votes.size();
  double median = n % 2 ? votes[n / 2] : (votes[n / 2 - 1] + votes[n / 2]) / 2;
  if (Better(rule.goal, median, *best, 0)) {
    return "pruned: best " + rule.metric + " " + Num(*best) + " by step " + std::to_string(step) +
           " is worse than the median " + Num(median) + " of " + std::to_string(n) + " earlier trials";
  }
  return std::nullopt;
}

}  // namespace trail::sweep
