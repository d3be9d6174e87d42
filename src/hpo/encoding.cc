#include "hpo/encoding.h"

#include <algorithm>
#include <cmath>

namespace trail::hpo {
namespace {

uint64_t CellOf(double u, uint64_t count) {
  double k = std::floor(u * static_cast<double>(count));
  if (!(k > 0)) return 0;  // also NaN
  return std::min(static_cast<uint64_t>(std::min(k, 1.8e19)), count - 1);
}

}  // namespace

Encoding::Encoding(const Space& space) : space_(&space) {
  for (const Dim& d : space.dims) {
    Slot s{};
    s.feature = num_features_;
    s.width = 1;
    if (d.type == DimType::kChoice) {
      s.kind = Kind::kChoice;
      s.count = d.choices.size();
      s.width = static_cast<int>(s.count);
    } else {
      s.log = d.scale == Scale::kLog;
      double first = s.log ? std::log(d.start) : d.start;
      if (!d.IsDiscrete()) {
        s.kind = Kind::kContinuous;
        s.lo = first;
        s.hi = s.log ? std::log(d.end) : d.end;
      } else {
        s.kind = Kind::kLattice;
        s.count = d.Count();
        if (d.type == DimType::kInt && s.log && !d.step) {
          s.uniform_cells = false;
          s.lo = std::log(d.start - 0.5);
          s.hi = std::log(d.end + 0.5);
        } else {
          double spacing = s.log ? std::log(*d.step) : d.step.value_or(1.0);
          s.lo = first - spacing / 2;
          s.hi = first + (static_cast<double>(s.count) - 0.5) * spacing;
        }
      }
    }
    num_features_ += s.width;
    slots_.push_back(s);
  }
}

std::vector<int> Encoding::FeatureDims() const {
  std::vector<int> out;
  for (int i = 0; i < num_dims(); ++i) out.insert(out.end(), slots_[i].width, i);
  return out;
}

Status Encoding::Encode(const Point& point, double* features) const {
  if (!point.is_object()) return InvalidArgument("a point must be a mapping of parameter names to values");
  for (int i = 0; i < num_dims(); ++i) {
    const Dim& d = space_->dims[i];
    const Slot& s = slots_[i];
    auto it = point.find(d.name);
    if (it == point.end()) return InvalidArgument(d.name + ": missing");
    const Json& v = *it;
    if (s.kind == Kind::kChoice) {
      auto found = std::find(d.choices.begin(), d.choices.end(), v);
      if (found == d.choices.end()) return InvalidArgument(d.name + ": " + v.dump() + " is not one of the choices");
      SetChoice(i, static_cast<uint64_t>(found - d.choices.begin()), features);
      continue;
    }
    if (!v.is_number()) return InvalidArgument(d.name + ": " + v.dump() + " is not a number");
    double x = v.get<double>();
    if (std::isnan(x)) return InvalidArgument(d.name + ": NaN is not a value");
    double t = s.log ? (x > 0 ? std::log(x) : -HUGE_VAL) : x;
    features[s.feature] = std::clamp((t - s.lo) / (s.hi - s.lo), 0.0, 1.0);
  }
  return Status::Ok();
}

void Encoding::FromUnitCube(const double* u, double* features) const {
  for (int i = 0; i < num_dims(); ++i) {
    const Slot& s = slots_[i];
    switch (s.kind) {
      case Kind::kContinuous:
        features[s.feature] = std::clamp(u[i], 0.0, 1.0);
        break;
      case Kind::kLattice:
        features[s.feature] = LatticeFeature(i, s.uniform_cells ? CellOf(u[i], s.count) : NearestLatticeIndex(i, u[i]));
        break;
      case Kind::kChoice:
        SetChoice(i, CellOf(u[i], s.count), features);
        break;
    }
  }
}

void Encoding::Snap(double* features) const {
  for (int i = 0; i < num_dims(); ++i) {
    const Slot& s = slots_[i];
    switch (s.kind) {
      case Kind::kContinuous:
        features[s.feature] = std::clamp(features[s.feature], 0.0, 1.0);
        break;
      case Kind::kLattice:
        features[s.feature] = LatticeFeature(i, NearestLatticeIndex(i, features[s.feature]));
        break;
      case Kind::kChoice:
        SetChoice(i, ChoiceOf(i, features), features);
        break;
    }
  }
}

Point Encoding::Decode(const double* features) const {
  Point out = Json::object();
  for (int i = 0; i < num_dims(); ++i) {
    const Dim& d = space_->dims[i];
    const Slot& s = slots_[i];
    switch (s.kind) {
      case Kind::kContinuous:
        out[d.name] = d.ValueAtFraction(std::clamp(features[s.feature], 0.0, 1.0));
        break;
      case Kind::kLattice:
        out[d.name] = d.ValueAt(NearestLatticeIndex(i, features[s.feature]));
        break;
      case Kind::kChoice:
        out[d.name] = d.choices[ChoiceOf(i, features)];
        break;
    }
  }
  return out;
}

double Encoding::LatticeFeature(int dim, uint64_t k) const {
  const Slot& s = slots_[dim];
  if (s.uniform_cells) return (static_cast<double>(k) + 0.5) / static_cast<double>(s.count);
  double v = space_->dims[dim].start + static_cast<double>(k);
  return (std::log(v) - s.lo) / (s.hi - s.lo);
}

uint64_t Encoding::NearestLatticeIndex(int dim, double feature) const {
  const Slot& s = slots_[dim];
  if (s.uniform_cells) return CellOf(feature, s.count);
  double v = std::round(std::exp(s.lo + std::clamp(feature, 0.0, 1.0) * (s.hi - s.lo)));
  double k = v - space_->dims[dim].start;
  if (!(k > 0)) return 0;
  return std::min(static_cast<uint64_t>(k), s.count - 1);
}

void Encoding::SetChoice(int dim, uint64_t k, double* features) const {
  const Slot& s = slots_[dim];
  for (int c = 0; c < s.width; ++c) features[s.feature + c] = static_cast<uint64_t>(c) == k ? kHot : 0.0;
}

uint64_t Encoding::ChoiceOf(int dim, const double* features) const {
  const Slot& s = slots_[dim];
  int best = 0;
  for (int c = 1; c < s.width; ++c) {
    if (features[s.feature + c] > features[s.feature + best]) best = c;
  }
  return static_cast<uint64_t>(best);
}

bool Encoding::SamePoint(const double* a, const double* b) const {
  for (int f = 0; f < num_features_; ++f) {
    if (std::abs(a[f] - b[f]) > 1e-9) return false;
  }
  return true;
}

}  // namespace trail::hpo
