// Grid search: every combination of the values the steps allow, in a fixed order.
#pragma once

#include <cstdint>
#include <memory>

#include "hpo/strategy.h"

namespace trail::hpo {

// The order is that of nested loops over the dims as written, the last dim varying fastest
// (itertools.product). Every dim must be discrete: a choice, an int, or a float with a step; a
// float without one is InvalidArgument("space.<name>: grid search needs a step ...").
StatusOr<std::unique_ptr<Strategy>> MakeGridStrategy(const Space& space);

// Point `index` of the grid over `space` (index < GridSize()); the space must be all discrete.
Point GridPoint(const Space& space, uint64_t index);

}  // namespace trail::hpo
