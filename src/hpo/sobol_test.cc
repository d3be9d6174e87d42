#include "hpo/sobol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace trail::hpo {
namespace {

// The defining property of a Sobol sequence, kept by the digital shift: the first 2^m points put
// exactly one point in each interval [j/2^m, (j+1)/2^m) of every coordinate.
TEST(SobolTest, EveryCoordinateIsStratified) {
  const int dims = 40;  // past kMaxSobolDims, the extra coordinates are random and unchecked
  SobolSequence sobol(dims, 1234);
  const int m = 8, n = 1 << m;
  std::vector<std::set<int>> cells(SobolSequence::kMaxSobolDims);
  std::vector<double> p(dims);
  for (int i = 0; i < n; ++i) {
    sobol.Point(i, p.data());
    for (int d = 0; d < dims; ++d) {
      ASSERT_GE(p[d], 0.0);
      ASSERT_LT(p[d], 1.0);
      if (d < SobolSequence::kMaxSobolDims) cells[d].insert(static_cast<int>(std::floor(p[d] * n)));
    }
  }
  for (int d = 0; d < SobolSequence::kMaxSobolDims; ++d) EXPECT_EQ(cells[d].size(), static_cast<size_t>(n)) << d;
}

// The first two coordinates form a (0, 2)-sequence: 16 points fill the 4 x 4 grid of squares.
TEST(SobolTest, FirstTwoCoordinatesFillSquares) {
  SobolSequence sobol(2, 99);
  std::set<int> squares;
  double p[2];
  for (int i = 0; i < 16; ++i) {
    sobol.Point(i, p);
    squares.insert(static_cast<int>(p[0] * 4) * 4 + static_cast<int>(p[1] * 4));
  }
  EXPECT_EQ(squares.size(), 16u);
}

TEST(SobolTest, SeedShiftsThePoints) {
  SobolSequence a(3, 1), b(3, 1), c(3, 2);
  double pa[3], pb[3], pc[3];
  a.Point(5, pa);
  b.Point(5, pb);
  c.Point(5, pc);
  EXPECT_EQ(std::vector<double>(pa, pa + 3), std::vector<double>(pb, pb + 3));
  EXPECT_NE(std::vector<double>(pa, pa + 3), std::vector<double>(pc, pc + 3));
}

}  // namespace
}  // namespace trail::hpo
