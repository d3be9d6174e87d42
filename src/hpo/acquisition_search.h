// Maximising the acquisition function over a mixed space: continuous, lattice and choice dims.
//
// Rounding a continuous optimum onto a lattice afterwards can land on a poor value, so the search
// works on the lattice itself, as Optuna's GPSampler does: quasi-random candidates, all valid
// points, are scored; local searches start from the best, from a few picked at random with
// probability growing with their score, and from given warm starts (near the best trials); each
// local search then alternates, until nothing improves,
//   - L-BFGS-B over the continuous features (the others fixed), in coordinates divided by each
//     dim's length scale so that the problem is well conditioned;
//   - for every lattice dim, the best of its values (all of them when there are few, else a probe
//     at exponentially growing distances followed by a walk to the best neighbour);
//   - for every choice dim, the best choice.
#pragma once

#include <cstdint>
#include <vector>

#include "hpo/acquisition.h"
#include "hpo/encoding.h"

namespace trail::hpo {

struct AcquisitionSearchOptions {
  int candidates = 2048;    // quasi-random points scored to pick the starts
  int local_searches = 10;  // local searches in all, warm starts included
};

struct AcquisitionOptimum {
  std::vector<double> features;  // snapped: a valid point of the space
  double value;                  // log EI
};

// Returns the local optima found and the best candidates, best first, so that a caller can skip
// those that repeat a point already tried. `seed` and `stream` fix the candidates and the picks.
std::vector<AcquisitionOptimum> MaximizeAcquisition(const Encoding& encoding, const LogEiAcquisition& acquisition,
                                                    const std::vector<std::vector<double>>& warm_starts, uint64_t seed,
                                                    uint64_t stream, const AcquisitionSearchOptions& options);

}  // namespace trail::hpo
