// Deterministic pseudo-random bytes for the store's tests and benchmark.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace trail::store::testing {

// xorshift64*: fast enough to fill a GiB in well under a second, and the same bytes everywhere.
inline void FillRandom(char* dst, size_t n, uint64_t seed) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    const uint64_t v = x * 0x2545F4914F6CDD1DULL;
    std::memcpy(dst + i, &v, 8);
  }
  for (; i < n; ++i) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    dst[i] = static_cast<char>((x * 0x2545F4914F6CDD1DULL) >> 56);
  }
}

inline std::string RandomBytes(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  FillRandom(s.data(), n, seed);
  return s;
}

}  // namespace trail::store::testing
