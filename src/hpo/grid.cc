#include "hpo/grid.h"

#include <string>

namespace trail::hpo {
namespace {

class GridStrategy : public Strategy {
 public:
  GridStrategy(const Space& space, uint64_t size) : space_(space), size_(size) {}

  // The grid ignores values: trial k gets point k, whatever came before.
  StatusOr<Point> Propose(const std::vector<Observation>& done, const std::vector<Point>& pending) override {
    uint64_t index = done.size() + pending.size();
    if (index >= size_) {
      return FailedPrecondition("grid exhausted: all " + std::to_string(size_) + " points have been proposed");
    }
    return GridPoint(space_, index);
  }

  std::optional<uint64_t> Size() const override { return size_; }

 private:
  Space space_;
  uint64_t size_;
};

}  // namespace

Point GridPoint(const Space& space, uint64_t index) {
  // Mixed-radix digits of `index`, the last dim the least significant.
  std::vector<uint64_t> digits(space.dims.size());
  for (size_t i = space.dims.size(); i-- > 0;) {
    uint64_t n = space.dims[i].Count();
    digits[i] = index % n;
    index /= n;
  }
  Point out = Json::object();
  for (size_t i = 0; i < space.dims.size(); ++i) out[space.dims[i].name] = space.dims[i].ValueAt(digits[i]);
  return out;
}

StatusOr<std::unique_ptr<Strategy>> MakeGridStrategy(const Space& space) {
  for (const Dim& d : space.dims) {
    if (!d.IsDiscrete()) {
      return InvalidArgument("space." + d.name +
                             ": grid search needs a step for a float range (or use random or bayes)");
    }
  }
  return std::unique_ptr<Strategy>(std::make_unique<GridStrategy>(space, *space.GridSize()));
}

}  // namespace trail::hpo
