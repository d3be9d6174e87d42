#include "hpo/sobol.h"

#include <algorithm>
#include <bit>

#include "hpo/rng.h"

namespace trail::hpo {
namespace {

constexpr int kBits = 32;

// Joe and Kuo's primitive polynomials and initial direction numbers for dimensions 2..32:
// degree s, coefficients a, then m_1..m_s (zero-padded). Dimension 1 is van der Corput's.
struct Primitive {
  int s;
  uint32_t a;
  uint32_t m[7];
};
constexpr Primitive kPrimitives[] = {
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},
};
static_assert(std::size(kPrimitives) + 1 == SobolSequence::kMaxSobolDims);

void FillDirections(int dim, uint32_t* v) {
  if (dim == 0) {
    for (int k = 0; k < kBits; ++k) v[k] = 1u << (kBits - 1 - k);
    return;
  }
  const Primitive& p = kPrimitives[dim - 1];
  for (int k = 0; k < p.s; ++k) v[k] = p.m[k] << (kBits - 1 - k);
  for (int k = p.s; k < kBits; ++k) {
    uint32_t x = v[k - p.s] ^ (v[k - p.s] >> p.s);
    for (int j = 1; j < p.s; ++j) {
      if ((p.a >> (p.s - 1 - j)) & 1u) x ^= v[k - j];
    }
    v[k] = x;
  }
}

}  // namespace

SobolSequence::SobolSequence(int dims, uint64_t seed) : dims_(dims), seed_(seed) {
  int sobol_dims = std::min(dims, kMaxSobolDims);
  directions_.resize(static_cast<size_t>(sobol_dims) * kBits);
  Rng rng(seed);
  for (int d = 0; d < sobol_dims; ++d) {
    FillDirections(d, &directions_[static_cast<size_t>(d) * kBits]);
    shifts_.push_back(static_cast<uint32_t>(rng.Next() >> 32));
  }
}

void SobolSequence::Point(uint64_t index, double* out) const {
  int sobol_dims = static_cast<int>(shifts_.size());
  for (int d = 0; d < sobol_dims; ++d) {
    const uint32_t* v = &directions_[static_cast<size_t>(d) * kBits];
    uint32_t x = shifts_[d];
    for (uint64_t bits = index & 0xffffffffULL; bits != 0; bits &= bits - 1) x ^= v[std::countr_zero(bits)];
    out[d] = static_cast<double>(x) * 0x1.0p-32;
  }
  if (dims_ > sobol_dims) {
    Rng rng = Rng::ForStream(seed_ ^ 0x50b01ULL, index);
    for (int d = sobol_dims; d < dims_; ++d) out[d] = rng.Uniform();
  }
}

}  // namespace trail::hpo
