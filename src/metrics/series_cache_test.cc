#include "metrics/series_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "metrics/series_columns.h"

namespace trail::metrics {
namespace {

std::shared_ptr<const int> Int(int v) { return std::make_shared<const int>(v); }

TEST(SeriesCacheTest, FindsWhatWasInserted) {
  SeriesCache<int> cache(100);
  EXPECT_EQ(cache.Find("a"), nullptr);
  cache.Insert("a", Int(1), 10);
  ASSERT_NE(cache.Find("a"), nullptr);
  EXPECT_EQ(*cache.Find("a"), 1);
  auto s = cache.stats();
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.bytes, 10u);
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 1u);
}

TEST(SeriesCacheTest, EvictsTheLeastRecentlyUsedByBytes) {
  SeriesCache<int> cache(100);
  cache.Insert("a", Int(1), 40);
  cache.Insert("b", Int(2), 40);
  ASSERT_NE(cache.Find("a"), nullptr);  // a is now more recent than b
  cache.Insert("c", Int(3), 40);        // 120 > 100: b goes
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_NE(cache.Find("a"), nullptr);
  EXPECT_NE(cache.Find("c"), nullptr);
  EXPECT_EQ(cache.stats().bytes, 80u);
  EXPECT_EQ(cache.stats().evictions, 1u);

  cache.Insert("huge", Int(4), 101);  // never fits: not kept, nothing evicted for it
  EXPECT_EQ(cache.Find("huge"), nullptr);
  EXPECT_EQ(cache.stats().entries, 2u);

  cache.Insert("a", Int(5), 10);  // replaced, bytes follow
  EXPECT_EQ(*cache.Find("a"), 5);
  EXPECT_EQ(cache.stats().bytes, 50u);

  cache.SetCapacity(20);
  EXPECT_EQ(cache.stats().entries, 1u);  // c (least recent) went, a stays
  EXPECT_NE(cache.Find("a"), nullptr);
}

TEST(SeriesCacheTest, AnEvictedValueLivesOnWithItsHolder) {
  SeriesCache<int> cache(10);
  cache.Insert("a", Int(7), 10);
  std::shared_ptr<const int> held = cache.Find("a");
  cache.Insert("b", Int(8), 10);
  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_EQ(*held, 7);
}

// Readers and writers on every core at once, with a capacity that forces evictions all along:
// every value found is the one inserted for its key, and the byte count stays in bounds.
TEST(SeriesCacheTest, ConcurrentReadersAndWriters) {
  SeriesCache<SeriesColumns> cache(64 * 1024);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> found{0}, wrong{0};
  // Keeps the other core busy, so the threads below are preempted inside the cache.
  std::thread busy([&] {
    volatile uint64_t x = 0;
    while (!stop.load(std::memory_order_relaxed)) x = x + 1;
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 4000; ++i) {
        int k = (i * 7 + t) % 40;
        std::string key = "oid-" + std::to_string(k);
        if (auto v = cache.Find(key)) {
          ++found;
          if (v->size() != static_cast<size_t>(k) + 1 || v->step.back() != k) ++wrong;
          continue;
        }
        auto cols = std::make_shared<SeriesColumns>();
        for (int j = 0; j <= k; ++j) {
          cols->step.push_back(k);
          cols->time.push_back(j);
          cols->value.push_back(j);
        }
        size_t bytes = cols->bytes() + 1024;
        cache.Insert(key, std::move(cols), bytes);
      }
    });
  }
  for (auto& th : threads) th.join();
  stop = true;
  busy.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(found.load(), 0);
  auto s = cache.stats();
  EXPECT_LE(s.bytes, s.capacity);
  EXPECT_GT(s.evictions, 0u);
}

}  // namespace
}  // namespace trail::metrics
