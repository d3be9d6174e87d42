// The unit-cube form of points that the Gaussian process and the samplers work in.
//
// Every numeric parameter is one feature in [0, 1], measured in its scale's space (log parameters
// in log space). A discrete numeric parameter sits at the centres of equal cells, (k + 0.5) / K for
// its K values, so that each value owns the same share of the cube and a uniform draw picks each
// value equally often (int log ranges without a step are the exception: integer v owns the cell
// [v - 0.5, v + 0.5] in log space, so small integers are drawn more often, as a log scale means).
// A choice parameter is one-hot over one feature per choice, the hot one holding kHot so that two
// different choices are at squared distance 1, as far apart as the ends of a numeric range.
#pragma once

#include <cstdint>
#include <vector>

#include "hpo/space.h"
#include "trail/status.h"

namespace trail::hpo {

class Encoding {
 public:
  static constexpr double kHot = 0.70710678118654752440;  // 1/sqrt(2)

  enum class Kind { kContinuous, kLattice, kChoice };
  struct Slot {
    Kind kind;
    int feature;     // the dim's first feature
    int width;       // 1, or the number of choices
    uint64_t count;  // kLattice, kChoice: the number of values
    // Numeric dims: the feature is (t(v) - lo) / (hi - lo), t the identity or log.
    bool log = false;
    double lo = 0, hi = 1;
    bool uniform_cells = true;  // false only for int log ranges without a step
  };

  // `space` must outlive the Encoding.
  explicit Encoding(const Space& space);

  const Space& space() const { return *space_; }
  int num_features() const { return num_features_; }
  int num_dims() const { return static_cast<int>(slots_.size()); }
  const Slot& slot(int dim) const { return slots_[dim]; }
  // For each feature, the dim it belongs to: the GP gives each dim one length scale.
  std::vector<int> FeatureDims() const;

  // Writes the features of `point` (num_features() values). A numeric value outside its range is
  // clamped to it, so a record from a wider, earlier space still informs the model; a missing
  // parameter, a value that is not a number, or an unknown choice is InvalidArgument("<name>: ...").
  Status Encode(const Point& point, double* features) const;
  // The features of the point whose dim i sits at u[i] in [0, 1): continuous dims at that
  // fraction, discrete ones at the value whose cell holds u[i]. A uniform u gives a uniform point.
  void FromUnitCube(const double* u, double* features) const;
  // Moves every discrete dim of `features` to its nearest allowed value (a choice: the largest
  // column wins) and clamps continuous features into [0, 1].
  void Snap(double* features) const;
  // The point the features stand for (snapped as by Snap), with typed values (Dim::ValueAt).
  Point Decode(const double* features) const;

  // Lattice dims: the feature of value k, and the value nearest to a feature.
  double LatticeFeature(int dim, uint64_t k) const;
  uint64_t NearestLatticeIndex(int dim, double feature) const;
  // Choice dims: make choice k hot; which choice is hot.
  void SetChoice(int dim, uint64_t k, double* features) const;
  uint64_t ChoiceOf(int dim, const double* features) const;

  // True when two snapped feature vectors stand for the same point.
  bool SamePoint(const double* a, const double* b) const;

 private:
  const Space* space_;
  std::vector<Slot> slots_;
  int num_features_ = 0;
};

}  // namespace trail::hpo
