// Sobol points: a low-discrepancy sequence that covers the unit cube far more evenly than random
// points do. Bayes uses it for its first trials and for the candidates its acquisition search
// starts from.
#pragma once

#include <cstdint>
#include <vector>

namespace trail::hpo {

class SobolSequence {
 public:
  // Coordinates past this many come from a plain random generator (direction numbers of Joe and
  // Kuo, "new-joe-kuo-6.21201", are tabled for the first 32 dimensions).
  static constexpr int kMaxSobolDims = 32;

  // A `dims`-dimensional sequence, scrambled by a random digital shift drawn from `seed`: every
  // seed gives a different, equally even, set of points.
  SobolSequence(int dims, uint64_t seed);

  int dims() const { return dims_; }
  // Writes point `index` (random access, index < 2^32) into out[0..dims), each in [0, 1).
  void Point(uint64_t index, double* out) const;

 private:
  int dims_;
  uint64_t seed_;
  std::vector<uint32_t> directions_;  // kBits per Sobol dimension
  std::vector<uint32_t> shifts_;
};

}  // namespace trail::hpo
