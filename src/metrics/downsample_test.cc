#include "metrics/downsample.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "metrics/test_limits.h"

namespace trail::metrics {
namespace {

struct Owned {
  std::vector<int64_t> step;
  std::vector<double> time, value;
  SeriesView view() const { return {step, time, value}; }
  void Add(int64_t s, double t, double v) {
    step.push_back(s);
    time.push_back(t);
    value.push_back(v);
  }
};

// A noisy million-point series with spikes at random places.
Owned Noisy(size_t n, uint64_t seed, std::vector<size_t>* spikes) {
  Owned s;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> noise(-1, 1);
  for (size_t i = 0; i < n; ++i) s.Add(static_cast<int64_t>(i), 1.7e9 + 0.01 * static_cast<double>(i), noise(rng));
  std::uniform_int_distribution<size_t> where(0, n - 1);
  for (int k = 0; k < 6; ++k) {
    size_t i = where(rng);
    s.value[i] = (k % 2 ? -1 : 1) * (100.0 + k);
    spikes->push_back(i);
  }
  return s;
}

bool Contains(const DownsampleResult& r, double x, double y) {
  for (size_t i = 0; i < r.x.size(); ++i)
    if (r.x[i] == x && (r.y[i] == y || (std::isnan(y) && std::isnan(r.y[i])))) return true;
  return false;
}

TEST(DownsampleTest, MillionPointsKeepEverySpikeAndTheExtremes) {
  std::vector<size_t> spikes;
  Owned s = Noisy(1'000'000, 42, &spikes);
  DownsampleOptions o;
  o.points = 1000;
  DownsampleResult r = Downsample(s.view(), o);
  EXPECT_TRUE(r.downsampled);
  EXPECT_EQ(r.total, 1'000'000);
  EXPECT_EQ(r.in_range, 1'000'000);
  EXPECT_LE(r.x.size(), 1000u);
  EXPECT_GE(r.x.size(), 900u);
  ASSERT_EQ(r.x.size(), r.y.size());
  for (size_t i : spikes) EXPECT_TRUE(Contains(r, static_cast<double>(i), s.value[i])) << "spike at " << i;
  ASSERT_TRUE(r.min && r.max);
  EXPECT_EQ(r.max->y, *std::max_element(s.value.begin(), s.value.end()));
  EXPECT_EQ(r.min->y, *std::min_element(s.value.begin(), s.value.end()));
  EXPECT_TRUE(Contains(r, r.min->x, r.min->y));
  EXPECT_TRUE(Contains(r, r.max->x, r.max->y));
  EXPECT_EQ(r.x_min, 0);
  EXPECT_EQ(r.x_max, 999'999);
  EXPECT_TRUE(std::is_sorted(r.x.begin(), r.x.end()));  // series order; steps increase here
  EXPECT_EQ(r.x.front(), 0);
  EXPECT_EQ(r.x.back(), 999'999);
}

TEST(DownsampleTest, NonFiniteValuesArePointsButNeverExtremes) {
  std::vector<size_t> spikes;
  Owned s = Noisy(100'000, 1, &spikes);
  s.value[123] = kNaN;
  s.value[50'000] = kInf;
  s.value[77'777] = -kInf;
  DownsampleResult r = Downsample(s.view(), {});
  EXPECT_TRUE(Contains(r, 123, kNaN));
  EXPECT_TRUE(Contains(r, 50'000, kInf));
  EXPECT_TRUE(Contains(r, 77'777, -kInf));
  ASSERT_TRUE(r.min && r.max);
  EXPECT_TRUE(std::isfinite(r.min->y));
  EXPECT_TRUE(std::isfinite(r.max->y));
  EXPECT_EQ(r.max->y, 104);  // the largest spike, not +inf
  EXPECT_LE(r.x.size(), 1000u * 5 / 4);

  Owned all_nan;
  for (int i = 0; i < 10; ++i) all_nan.Add(i, i, kNaN);
  DownsampleResult none = Downsample(all_nan.view(), {});
  EXPECT_EQ(none.x.size(), 10u);
  EXPECT_FALSE(none.min);
  EXPECT_FALSE(none.max);
}

TEST(DownsampleTest, ShortSeriesComesBackWhole) {
  Owned s;
  for (int i = 0; i < 7; ++i) s.Add(i * 10, 100 + i, i * i);
  DownsampleOptions o;
  o.points = 1;  // counts as 4, still below 7: downsampled
  DownsampleResult r = Downsample(s.view(), o);
  EXPECT_TRUE(r.downsampled);
  EXPECT_LE(r.x.size(), 4u);
  EXPECT_TRUE(Contains(r, 0, 0));
  EXPECT_TRUE(Contains(r, 60, 36));
  o.points = 7;
  r = Downsample(s.view(), o);
  EXPECT_FALSE(r.downsampled);
  EXPECT_EQ(r.x, (std::vector<double>{0, 10, 20, 30, 40, 50, 60}));
  EXPECT_EQ(r.y, (std::vector<double>{0, 1, 4, 9, 16, 25, 36}));
  EXPECT_EQ(r.min->x, 0);
  EXPECT_EQ(r.max->x, 60);

  DownsampleResult empty = Downsample(Owned{}.view(), {});
  EXPECT_EQ(empty.total, 0);
  EXPECT_TRUE(empty.x.empty());
  EXPECT_FALSE(empty.min);
}

TEST(DownsampleTest, RangeOutsideTheSeriesIsEmptyButKeepsTheExtent) {
  Owned s;
  for (int i = 0; i < 100; ++i) s.Add(i, i, i);
  DownsampleOptions o;
  o.from = 200;
  o.to = 300;
  DownsampleResult r = Downsample(s.view(), o);
  EXPECT_EQ(r.total, 100);
  EXPECT_EQ(r.in_range, 0);
  EXPECT_TRUE(r.x.empty());
  EXPECT_FALSE(r.min);
  EXPECT_EQ(r.x_min, 0);
  EXPECT_EQ(r.x_max, 99);

  o.from = 50;
  o.to = 10;  // backwards: nothing
  EXPECT_EQ(Downsample(s.view(), o).in_range, 0);

  o.from = -1000;  // wider than the series on both sides
  o.to = 1000;
  r = Downsample(s.view(), o);
  EXPECT_EQ(r.in_range, 100);
  EXPECT_FALSE(r.downsampled);

  o.from = 10;  // inclusive at both ends
  o.to = 20;
  r = Downsample(s.view(), o);
  EXPECT_EQ(r.in_range, 11);
  EXPECT_EQ(r.x.front(), 10);
  EXPECT_EQ(r.x.back(), 20);
  EXPECT_EQ(r.min->y, 10);
  EXPECT_EQ(r.max->y, 20);
}

TEST(DownsampleTest, ZoomedRangeIsFullResolutionAndKeepsItsOwnExtremes) {
  std::vector<size_t> spikes;
  Owned s = Noisy(1'000'000, 9, &spikes);
  s.value[500'123] = 60;  // a spike inside the zoomed range, below the series' own max
  DownsampleOptions o;
  o.from = 500'000;
  o.to = 500'500;
  DownsampleResult r = Downsample(s.view(), o);
  EXPECT_EQ(r.in_range, 501);
  EXPECT_FALSE(r.downsampled);  // 501 points fit in the default 1000
  EXPECT_EQ(r.x.size(), 501u);
  EXPECT_EQ(r.x_min, 0);  // the whole series' extent, for a zoomed-out axis
  EXPECT_EQ(r.x_max, 999'999);
  o.points = 100;
  r = Downsample(s.view(), o);
  EXPECT_TRUE(r.downsampled);
  EXPECT_LE(r.x.size(), 100u);
  EXPECT_TRUE(Contains(r, 500'123, 60));
  ASSERT_TRUE(r.max);
  EXPECT_EQ(r.max->x, 500'123);
  EXPECT_EQ(r.max->y, 60);
  EXPECT_GE(r.x.front(), 500'000);
  EXPECT_LE(r.x.back(), 500'500);
}

TEST(DownsampleTest, XByTimeAndRelativeTime) {
  Owned s;
  for (int i = 0; i < 10'000; ++i) s.Add(i, 1000.0 + i * 0.5, std::sin(i * 0.01));
  s.value[4321] = 50;
  DownsampleOptions o;
  o.x = XAxis::kTime;
  o.points = 100;
  DownsampleResult r = Downsample(s.view(), o);
  EXPECT_EQ(r.x_min, 1000);
  EXPECT_EQ(r.x_max, 1000 + 9999 * 0.5);
  EXPECT_TRUE(Contains(r, 1000 + 4321 * 0.5, 50));
  EXPECT_LE(r.x.size(), 100u);

  o.x = XAxis::kRelative;
  o.from = 100;  // seconds since the first point: steps 200..400
  o.to = 200;
  r = Downsample(s.view(), o);
  EXPECT_EQ(r.x_min, 0);
  EXPECT_EQ(r.x_max, 9999 * 0.5);
  EXPECT_EQ(r.in_range, 201);
  EXPECT_EQ(r.x.front(), 100);
  EXPECT_EQ(r.x.back(), 200);
}

TEST(DownsampleTest, NonMonotonicStepsComeBackInSeriesOrder) {
  // A resumed run: steps go 0..999, then back to 500..1499.
  Owned s;
  for (int i = 0; i < 1000; ++i) s.Add(i, i, 1);
  for (int i = 500; i < 1500; ++i) s.Add(i, 1000 + i, 2);
  s.value[1200] = -7;  // step 700 of the second attempt
  DownsampleOptions o;
  o.points = 40;
  DownsampleResult r = Downsample(s.view(), o);
  EXPECT_TRUE(r.downsampled);
  EXPECT_EQ(r.x_min, 0);
  EXPECT_EQ(r.x_max, 1499);
  ASSERT_TRUE(r.min);
  EXPECT_EQ(r.min->x, 700);
  EXPECT_EQ(r.min->y, -7);
  EXPECT_TRUE(Contains(r, 700, -7));
  // Series order: the first attempt's points (y = 1) all come before the second's.
  auto first_two = std::find(r.y.begin(), r.y.end(), 2.0);
  EXPECT_TRUE(std::all_of(first_two, r.y.end(), [](double y) { return y != 1.0; }));
}

TEST(DownsampleTest, AllPointsAtOneX) {
  Owned s;
  for (int i = 0; i < 5000; ++i) s.Add(3, 3, i % 17);
  DownsampleOptions o;
  o.points = 8;
  DownsampleResult r = Downsample(s.view(), o);
  EXPECT_TRUE(r.downsampled);
  EXPECT_LE(r.x.size(), 8u);
  EXPECT_EQ(r.min->y, 0);
  EXPECT_EQ(r.max->y, 16);
  EXPECT_TRUE(Contains(r, 3, 16));
}

// Against a plain reading of the rule, on random series whose steps jump back and forth (so
// buckets are left and re-entered) and hold repeated values and non-finite ones.
TEST(DownsampleTest, AgreesWithAPlainReadingOfTheRule) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 200; ++round) {
    Owned s;
    size_t n = 50 + rng() % 3000;
    for (size_t i = 0; i < n; ++i) {
      double v = static_cast<double>(rng() % 50);
      if (rng() % 97 == 0) v = kNaN;
      if (rng() % 101 == 0) v = (rng() % 2) ? kInf : -kInf;
      s.Add(static_cast<int64_t>(rng() % 1000), 0, v);
    }
    DownsampleOptions o;
    o.points = 4 + static_cast<int64_t>(rng() % 100);
    if (round % 3 == 0) {
      o.from = static_cast<double>(rng() % 500);
      o.to = *o.from + static_cast<double>(rng() % 600);
    }
    DownsampleResult r = Downsample(s.view(), o);
    double from = o.from ? *o.from : 0, to = o.to ? *o.to : 999;
    if (!o.from) {
      from = static_cast<double>(*std::min_element(s.step.begin(), s.step.end()));
      to = static_cast<double>(*std::max_element(s.step.begin(), s.step.end()));
    }
    size_t buckets = static_cast<size_t>(o.points / 4);
    std::vector<std::vector<size_t>> members(buckets);
    std::vector<size_t> in;
    for (size_t i = 0; i < n; ++i) {
      double x = static_cast<double>(s.step[i]);
      if (x < from || x > to) continue;
      in.push_back(i);
      double w = (to - from) / static_cast<double>(buckets);
      // The same arithmetic as the implementation (a product by 1 / width), so an x on a bucket
      // edge lands in the same bucket.
      size_t k = w > 0 ? std::min(buckets - 1, static_cast<size_t>((x - from) * (1.0 / w))) : 0;
      members[k].push_back(i);
    }
    ASSERT_EQ(r.in_range, static_cast<int64_t>(in.size()));
    std::vector<size_t> want;
    if (static_cast<int64_t>(in.size()) <= o.points) {
      want = in;
    } else {
      for (const auto& m : members) {
        if (m.empty()) continue;
        std::vector<size_t> keep = {m.front(), m.back()};
        size_t lo = SIZE_MAX, hi = SIZE_MAX, bad = SIZE_MAX;
        for (size_t i : m) {
          double v = s.value[i];
          if (!std::isfinite(v)) {
            if (bad == SIZE_MAX) bad = i;
            continue;
          }
          if (lo == SIZE_MAX || v < s.value[lo]) lo = i;
          if (hi == SIZE_MAX || v > s.value[hi]) hi = i;
        }
        for (size_t i : {lo, hi, bad})
          if (i != SIZE_MAX) keep.push_back(i);
        want.insert(want.end(), keep.begin(), keep.end());
      }
      std::sort(want.begin(), want.end());
      want.erase(std::unique(want.begin(), want.end()), want.end());
    }
    ASSERT_EQ(r.x.size(), want.size()) << "round " << round;
    for (size_t j = 0; j < want.size(); ++j) {
      ASSERT_EQ(r.x[j], static_cast<double>(s.step[want[j]])) << "round " << round << " point " << j;
      double v = s.value[want[j]];
      ASSERT_TRUE(r.y[j] == v || (std::isnan(v) && std::isnan(r.y[j]))) << "round " << round << " point " << j;
    }
  }
}

}  // namespace
}  // namespace trail::metrics
