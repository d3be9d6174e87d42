// The gear table of the content-defined chunker: 256 fixed pseudo-random 64-bit values.
//
// Every chunk boundary, and so every chunk id in every store, is a function of this table.
// Changing the seed or the generator changes where files are cut, which makes every chunk
// already stored unreachable by dedup: treat it as part of the on-disk format.
#pragma once

#include <array>
#include <cstdint>

namespace trail::store {

inline constexpr uint64_t kGearSeed = 0x7472'6169'6c2d'6364ULL;  // "trail-cd"

// splitmix64 (Steele, Lea, Flood 2014): well mixed and trivially reproducible in any language.
constexpr uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

constexpr std::array<uint64_t, 256> MakeGearTable() {
  std::array<uint64_t, 256> table{};
  uint64_t state = kGearSeed;
  for (auto& v : table) v = SplitMix64(state);
  return table;
}

inline constexpr std::array<uint64_t, 256> kGearTable = MakeGearTable();

}  // namespace trail::store
