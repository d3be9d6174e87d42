// A small, portable random number generator, so that sampling is reproducible everywhere.
//
// std::mt19937_64 itself is portable, but std::uniform_real_distribution and friends are not: each
// standard library draws differently, and a sweep resumed on another machine must propose the same
// points. This is xoshiro256** seeded through SplitMix64, with the few draws the engine needs.
#pragma once

#include <cstdint>

namespace trail::hpo {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  // The generator for stream `stream` of `seed`, e.g. the trial index: streams of one seed are
  // independent of each other, so trial k's draws do not depend on how many draws trial k-1 made.
  static Rng ForStream(uint64_t seed, uint64_t stream);

  uint64_t Next();
  // Uniform in [0, 1), 53 random bits.
  double Uniform();
  // Standard normal (Box-Muller).
  double Normal();
  // Uniform in [0, n), n > 0.
  uint64_t Below(uint64_t n);

 private:
  uint64_t s_[4];
};

}  // namespace trail::hpo
