// Bayesian optimisation: a Gaussian process (hpo/gaussian_process.h) fitted to the finished
// trials, and log expected improvement (hpo/acquisition.h) maximised over the space
// (hpo/acquisition_search.h) to pick the next point.
//
// One proposal, trial index k = done + pending:
//  1. while k < initial_trials, or fewer than two trials have succeeded: scrambled Sobol point k;
//  2. the GP is fitted to the successful trials (features from hpo/encoding.h, values
//     standardised); past max_model_points, to the best half of that many and the most recent of
//     the rest, since the fit is cubic in the number of points;
//  3. running trials, and failed ones (the most recent max_model_points / 4), join the model as
//     fantasies that did not improve: the value the model expects there, or the best value so far
//     if it expects better ("constant liar"). The kernel is not refitted for them, but the
//     variance around them collapses, so the next proposal goes elsewhere: parallel workers get
//     distinct points and a point that failed is not retried;
//  4. log EI is maximised, warm-started near the two best trials;
//  5. the best result that does not repeat a tried point is proposed (if every result repeats
//     one, as in a small and exhausted discrete space, a random untried point, else a repeat).
// All randomness comes from (seed, k), so the proposal is a function of its inputs.
#pragma once

#include <cstdint>
#include <memory>

#include "hpo/acquisition_search.h"
#include "hpo/gaussian_process.h"
#include "hpo/strategy.h"

namespace trail::hpo {

struct BayesOptions {
  // Quasi-random trials before the model takes over; 0 picks DefaultInitialTrials.
  int initial_trials = 0;
  // The most successful trials the model is fitted to (see above).
  int max_model_points = 256;
  GpFitOptions fit;
  AcquisitionSearchOptions search;
};

// The default number of initial trials for a space of `dims` parameters.
int DefaultInitialTrials(int dims);

std::unique_ptr<Strategy> MakeBayesStrategy(const Space& space, uint64_t seed, const BayesOptions& options = {});

}  // namespace trail::hpo
