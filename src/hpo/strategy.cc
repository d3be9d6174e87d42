#include "hpo/strategy.h"

#include <string>

#include "hpo/bayes.h"
#include "hpo/grid.h"
#include "hpo/random_search.h"

namespace trail::hpo {

StatusOr<std::unique_ptr<Strategy>> MakeStrategy(std::string_view name, const Space& space, uint64_t seed) {
  if (space.dims.empty()) return InvalidArgument("space: no parameters");
  if (name == "grid") return MakeGridStrategy(space);
  if (name == "random") return MakeRandomStrategy(space, seed);
  if (name == "bayes") return MakeBayesStrategy(space, seed);
  return InvalidArgument("unknown search strategy '" + std::string(name) + "' (expected grid, random or bayes)");
}

}  // namespace trail::hpo
