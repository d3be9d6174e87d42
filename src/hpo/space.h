// Search spaces: the parameters a sweep varies and the values each may take.
//
// A space is written in YAML under `space:` and arrives here as Json (util/yaml.h):
//
//   lr:       {start: 0.001, end: 3.0, scale: log}        # float, log-uniform over the range
//   momentum: {start: 0.1, end: 0.9, step: 0.1}          # float lattice 0.1, 0.2, ..., 0.9
//   layers:   {start: 1, end: 100, step: 10, type: int}  # 1, 11, ..., 91
//   batch:    {start: 16, end: 512, step: 2, scale: log} # 16, 32, ..., 512 (log: step is a ratio)
//   reg:      {choice: [l1, l2, dropout]}
//
// Rules (each broken rule is one InvalidArgument line "space.<name>: <reason>"):
// - numeric parameters need `start` < `end`, both numbers; `end` is a value only when it lies on the
//   step lattice (or there is no step);
// - `step` > 0 and no larger than the range; with `scale: log` the step is the ratio between
//   neighbouring values and must be > 1; a log scale needs `start` > 0;
// - `type` is `int` or `float`; when absent it is `int` if start, end and step are all written as
//   integers and a step is given, else `float` (so `{start: 0, end: 1}` is a float range);
// - an int parameter needs integer bounds and an integer step (with a log scale: a step >= 2);
// - `choice` is a non-empty list of distinct values and takes no other key;
// - no other keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/yaml.h"
#include "trail/status.h"

namespace trail::hpo {

enum class DimType { kFloat, kInt, kChoice };
enum class Scale { kLinear, kLog };

// One parameter of a search space. Built by ParseSpace, which guarantees the invariants below.
struct Dim {
  std::string name;
  DimType type = DimType::kFloat;

  // kFloat and kInt: the closed range [start, end], start < end (start > 0 with a log scale).
  double start = 0;
  double end = 0;
  Scale scale = Scale::kLinear;
  // The spacing of the allowed values: start, start + step, ... (linear) or start, start * step, ...
  // (log). Unset: any value of the range (kFloat) or every integer in it (kInt).
  std::optional<double> step;

  // kChoice: the allowed values in the order written, distinct.
  std::vector<Json> choices;

  // True when the parameter takes finitely many values: a choice, an int, or a float with a step.
  bool IsDiscrete() const { return type != DimType::kFloat || step.has_value(); }
  // The number of values of a discrete parameter (saturates at UINT64_MAX).
  uint64_t Count() const;
  // The k-th value of a discrete parameter, 0 <= k < Count(), in increasing order (choices: as
  // written). Int parameters give Json integers; floats give doubles rounded to the decimals the
  // spec was written with, so that start 0.1, step 0.1 gives 0.3 and not 0.30000000000000004.
  Json ValueAt(uint64_t k) const;
  // The value at position `t` of a numeric range, t in [0, 1] in the scale's space (0 is start, 1
  // is end; log: geometric). For continuous floats; clamps to the range.
  double ValueAtFraction(double t) const;
};

// A point of a space: a Json object mapping each parameter name to its value, in the space's order.
using Point = Json;

struct Space {
  std::vector<Dim> dims;

  // The parameter called `name`, or nullptr.
  const Dim* Find(std::string_view name) const;
  // The number of points of the grid over this space: the product of Count() over the dims, or
  // nullopt if a dim is continuous. Saturates at UINT64_MAX.
  std::optional<uint64_t> GridSize() const;
};

// Parses the `space:` mapping. Errors are InvalidArgument("space.<name>: <reason>").
StatusOr<Space> ParseSpace(const Json& spec);

// The space as Json, in the same form ParseSpace reads (ParseSpace(SpaceToJson(s)) gives s back),
// with every default spelled out (type, and scale for numeric parameters) so that a record says
// exactly what was searched.
Json SpaceToJson(const Space& space);

// Checks that `point` gives every parameter of `space` a valid value: a listed choice, a number
// inside the range (an integer for an int parameter). Extra keys are allowed (a record may carry
// other params). InvalidArgument("<name>: <reason>") otherwise.
Status CheckPoint(const Space& space, const Point& point);

}  // namespace trail::hpo
