// The interface every search strategy implements, and the factory the sweep command uses.
//
// A strategy is a pure function of what it is shown: (space, seed, finished trials, running
// trials) -> the next point. It keeps no history of its own, so a sweep that is killed and resumed
// rebuilds exactly the same proposals from its records, and several workers may share one sweep.
//
//   TRAIL_ASSIGN_OR_RETURN(Space space, ParseSpace(spec["space"]));
//   TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<Strategy> s, MakeStrategy("bayes", space, seed));
//   TRAIL_ASSIGN_OR_RETURN(Point next, s->Propose(done, running));
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "hpo/space.h"
#include "trail/status.h"

namespace trail::hpo {

// A finished trial. `value` is the objective oriented so that lower is better (negate a metric
// that is maximised); nullopt, NaN or an infinity mean the trial failed or gave no value.
struct Observation {
  Point x;
  std::optional<double> value;
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  // The next point to try, given every finished trial (`done`, in the order they were recorded)
  // and the ones still running (`pending`). The trial index of the proposal is
  // done.size() + pending.size(). Deterministic: the same seed, done and pending give the same
  // point (grid and random draws do not even depend on the standard library; bayes is exact for
  // one build, since its floating point may differ in the last bits between machines).
  //
  // Errors: FailedPrecondition once a grid has proposed all its points (see Size());
  // InvalidArgument("observation N: <name>: ...") when a point of `done` or `pending` does not fit
  // the space (a missing parameter, a non-number, an unknown choice; numeric values outside the
  // range are accepted).
  virtual StatusOr<Point> Propose(const std::vector<Observation>& done, const std::vector<Point>& pending) = 0;

  // Grid: the number of points it will propose; other strategies: nullopt (they never run out).
  virtual std::optional<uint64_t> Size() const { return std::nullopt; }
};

// "grid", "random" or "bayes" over `space` (the strategy keeps a copy). `seed` fixes every random
// choice; the grid has none. InvalidArgument for an unknown name, an empty space, or a grid over a
// space with a continuous float (one without a step).
StatusOr<std::unique_ptr<Strategy>> MakeStrategy(std::string_view name, const Space& space, uint64_t seed);

}  // namespace trail::hpo
