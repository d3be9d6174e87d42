// Random search: independent uniform draws (log-uniform on log scales, each value of a discrete
// parameter equally likely).
#pragma once

#include <cstdint>
#include <memory>

#include "hpo/strategy.h"

namespace trail::hpo {

// Trial k draws from the random stream (seed, k) alone, so the point depends on nothing but the
// seed and the number of trials before it.
std::unique_ptr<Strategy> MakeRandomStrategy(const Space& space, uint64_t seed);

// The point a random search proposes as trial `index`. Bayes uses it to fall back on.
Point RandomPoint(const Space& space, uint64_t seed, uint64_t index);

}  // namespace trail::hpo
