#include "hpo/random_search.h"

#include <vector>

#include "hpo/encoding.h"
#include "hpo/rng.h"

namespace trail::hpo {
namespace {

class RandomStrategy : public Strategy {
 public:
  RandomStrategy(const Space& space, uint64_t seed) : space_(space), seed_(seed) {}

  StatusOr<Point> Propose(const std::vector<Observation>& done, const std::vector<Point>& pending) override {
    return RandomPoint(space_, seed_, done.size() + pending.size());
  }

 private:
  Space space_;
  uint64_t seed_;
};

}  // namespace

Point RandomPoint(const Space& space, uint64_t seed, uint64_t index) {
  Encoding encoding(space);
  Rng rng = Rng::ForStream(seed, index);
  std::vector<double> u(space.dims.size());
  for (double& x : u) x = rng.Uniform();
  std::vector<double> features(encoding.num_features());
  encoding.FromUnitCube(u.data(), features.data());
  return encoding.Decode(features.data());
}

std::unique_ptr<Strategy> MakeRandomStrategy(const Space& space, uint64_t seed) {
  return std::make_unique<RandomStrategy>(space, seed);
}

}  // namespace trail::hpo
