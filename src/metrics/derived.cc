#include "metrics/derived.h"

#include <cmath>
#include <map>

namespace trail::metrics {
namespace {

// The last finite value at each step.
std::map<int64_t, double> ByStep(const std::vector<Point>& points) {
  std::map<int64_t, double> out;
  for (const Point& p : points) {
    if (std::isfinite(p.value)) out[p.step] = p.value;
  }
  return out;
}

// First point reaching the extreme, NaN ignored; false when none is finite.
bool Extreme(const std::vector<Point>& points, bool want_max, double* value, int64_t* step) {
  bool found = false;
  for (const Point& p : points) {
    if (!std::isfinite(p.value)) continue;
    if (!found || (want_max ? p.value > *value : p.value < *value)) {
      *value = p.value;
      *step = p.step;
      found = true;
    }
  }
  return found;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& DefaultLossPairs() {
  static const std::vector<std::pair<std::string, std::string>> kPairs = {
      {"loss", "val_loss"},
      {"train_loss", "val_loss"},
      {"train_loss", "valid_loss"},
      {"train_loss", "validation_loss"},
      {"training_loss", "validation_loss"},
      {"train_loss", "test_loss"},
      {"train/loss", "val/loss"},
      {"train/loss", "validation/loss"},
      {"train/epoch_loss", "validation/epoch_loss"},
      {"loss/train", "loss/val"},
      {"loss/train", "loss/validation"},
      {"Loss/train", "Loss/val"},
      {"Loss/train", "Loss/test"},
  };
  return kPairs;
}

const std::vector<std::string>& DefaultAccuracyKeys() {
  static const std::vector<std::string> kKeys = {"val_accuracy",
                                                 "val_acc",
                                                 "valid_accuracy",
                                                 "valid_acc",
                                                 "validation_accuracy",
                                                 "val/accuracy",
                                                 "val/acc",
                                                 "validation/epoch_accuracy",
                                                 "accuracy/val",
                                                 "Accuracy/val",
                                                 "test_accuracy",
                                                 "test_acc",
                                                 "accuracy",
                                                 "acc",
                                                 "train_accuracy",
                                                 "train_acc",
                                                 "train/accuracy",
                                                 "train/epoch_accuracy"};
  return kKeys;
}

Json DeriveMetrics(const MetricSet& set, const DerivedNames& names) {
  auto has = [&](const std::string& k) { return !k.empty() && set.Series(k) != nullptr; };
  std::string train = names.train_loss, val = names.val_loss, acc = names.accuracy;
  if (val.empty()) {
    for (const auto& [t, v] : DefaultLossPairs()) {
      if (has(v) && (train.empty() ? has(t) : t == train)) {
        val = v;
        if (train.empty()) train = t;
        break;
      }
    }
    // A validation series without its training partner still has a minimum.
    if (val.empty()) {
      for (const auto& [t, v] : DefaultLossPairs()) {
        if (has(v)) {
          val = v;
          break;
        }
      }
    }
  }
  if (train.empty() && has(val)) {
    for (const auto& [t, v] : DefaultLossPairs()) {
      if (v == val && has(t)) {
        train = t;
        break;
      }
    }
  }
  if (acc.empty()) {
    for (const auto& k : DefaultAccuracyKeys()) {
      if (has(k)) {
        acc = k;
        break;
      }
    }
  }

  Json out = Json::object();
  Json sources = Json::object();
  double value;
  int64_t step;
  if (has(val) && Extreme(*set.Series(val), false, &value, &step)) {
    out["val_loss_min"] = value;
    out["val_loss_min_step"] = step;
    sources["val_loss"] = val;
  }
  if (has(train) && has(val)) {
    std::map<int64_t, double> t = ByStep(*set.Series(train)), v = ByStep(*set.Series(val));
    double sum = 0, max_gap = 0;
    int64_t max_step = 0, n = 0;
    for (const auto& [s, tv] : t) {
      auto it = v.find(s);
      if (it == v.end()) continue;
      double gap = it->second - tv;
      if (n == 0 || gap > max_gap) {
        max_gap = gap;
        max_step = s;
      }
      sum += gap;
      ++n;
    }
    if (n > 0) {
      out["train_val_gap_avg"] = sum / static_cast<double>(n);
      out["train_val_gap_max"] = max_gap;
      out["train_val_gap_max_step"] = max_step;
      sources["train_loss"] = train;
      sources["val_loss"] = val;
    }
  }
  if (has(acc) && Extreme(*set.Series(acc), true, &value, &step)) {
    out["best_accuracy"] = value;
    out["best_accuracy_step"] = step;
    sources["accuracy"] = acc;
  }
  if (!out.empty()) out["sources"] = sources;
  return out;
}

}  // namespace trail::metrics
