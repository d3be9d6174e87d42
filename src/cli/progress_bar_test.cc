#include "progress_bar.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace trail::cli {
namespace {

// A progress line on a fake clock and a fake terminal: what it drew, write by write.
struct Fake {
  double now = 100;
  int columns = 200;
  std::vector<std::string> writes;
  std::unique_ptr<ProgressBar> bar;

  explicit Fake(double delay = 0) {
    ProgressBar::Options o;
    o.now = [this] { return now; };
    o.write = [this](const std::string& s) { writes.push_back(s); };
    o.columns = [this] { return columns; };
    o.delay_s = delay;
    bar = std::make_unique<ProgressBar>(std::move(o));
  }
  std::string Last() const { return writes.empty() ? "" : writes.back(); }
};

constexpr uint64_t kMiB = 1 << 20;

TEST(ProgressBarTest, DrawsGitsLineWithPercentCountsBytesRateAndEta) {
  Fake f;
  f.bar->Begin("Adding data", "files", 1950, 2000 * kMiB);
  EXPECT_EQ(f.Last(), "\rAdding data:   0% (0/1950 files), 0 B\033[K");
  f.now += 1;
  f.bar->Advance(1234, 1260 * kMiB);  // 63% of the bytes in one second
  EXPECT_EQ(f.Last(), "\rAdding data:  63% (1234/1950 files), 1.2 GiB | 1.2 GiB/s, ETA 1s\033[K");
}

TEST(ProgressBarTest, RedrawsAtMostTenTimesASecond) {
  Fake f;
  f.bar->Begin("Checking objects", "packs", 1000, 0);
  const size_t begun = f.writes.size();
  for (int i = 0; i < 1000; ++i) {
    f.now += 0.001;  // a thousand advances in one second
    f.bar->Advance(1, 0);
  }
  const size_t draws = f.writes.size() - begun;
  EXPECT_GE(draws, 9u);
  EXPECT_LE(draws, 11u);
}

TEST(ProgressBarTest, RateAndEtaComeFromTheLastSecondsNotTheWholeRun) {
  Fake f;
  f.bar->Begin("Adding data", "files", 100, 1000 * kMiB);
  // Ten slow seconds: 1 MiB/s (steps of 1/8 s, exact in binary).
  for (int i = 0; i < 80; ++i) {
    f.now += 0.125;
    f.bar->Advance(0, kMiB / 8);
  }
  // Then five fast ones: 100 MiB/s. The whole-run average would be about 34 MiB/s.
  for (int i = 0; i < 40; ++i) {
    f.now += 0.125;
    f.bar->Advance(0, 100 * kMiB / 8);
  }
  const std::string line = f.Last();
  EXPECT_NE(line.find("| 100.0 MiB/s"), std::string::npos) << line;
  // 510 MiB done of 1000: 490 MiB left at 100 MiB/s.
  EXPECT_NE(line.find("ETA 5s"), std::string::npos) << line;
}

TEST(ProgressBarTest, EndsWithADoneLineAndANewline) {
  Fake f;
  f.bar->Begin("Indexing runs", "runs", 3, 0);
  f.now += 0.5;
  f.bar->Advance(3, 0);
  f.bar->End();
  ASSERT_GE(f.writes.size(), 2u);
  EXPECT_EQ(f.writes[f.writes.size() - 2], "\rIndexing runs: 100% (3/3 runs) | 6 runs/s, done.\033[K");
  EXPECT_EQ(f.writes.back(), "\n");
  // Nothing after the end: a late advance from a worker draws nothing.
  const size_t n = f.writes.size();
  f.now += 1;
  f.bar->Advance(1, 0);
  EXPECT_EQ(f.writes.size(), n);
}

TEST(ProgressBarTest, UnknownTotalsShowCountsWithoutPercentOrEta) {
  Fake f;
  f.bar->Begin("Uploading packs", "", 0, 0);
  f.now += 1;
  f.bar->Advance(0, 3 * kMiB);
  EXPECT_EQ(f.Last(), "\rUploading packs: 3.0 MiB | 3.0 MiB/s\033[K");
}

TEST(ProgressBarTest, FitsTheTerminalWidth) {
  Fake f;
  f.columns = 30;
  f.bar->Begin("Adding data", "files", 1950, 2000 * kMiB);
  f.now += 1;
  f.bar->Advance(1234, 1260 * kMiB);
  const std::string line = f.Last();
  // "\r" + 29 columns + erase: one short of the width, so the terminal does not wrap.
  EXPECT_EQ(line.substr(0, 1), "\r");
  EXPECT_EQ(line.substr(line.size() - 3), "\033[K");
  EXPECT_LE(line.size() - 4, 29u + 2);  // "…" is three bytes, one column
  EXPECT_NE(line.find("…"), std::string::npos);
}

TEST(ProgressBarTest, AQuickOperationDrawsNothingWhenDelayed) {
  Fake f(/*delay=*/0.5);
  f.bar->Begin("Adding data", "files", 1, 10);
  f.now += 0.1;
  f.bar->Advance(1, 10);
  f.bar->End();
  EXPECT_TRUE(f.writes.empty());
  // A slow one shows once the delay has passed, and ends with its done line.
  f.bar->Begin("Adding data", "files", 2, 20);
  f.now += 0.6;
  f.bar->Advance(1, 10);
  EXPECT_FALSE(f.writes.empty());
  f.bar->End();
  EXPECT_EQ(f.writes.back(), "\n");
}

TEST(ProgressBarTest, FormatsSizesAndTimes) {
  EXPECT_EQ(ProgressBytes(512), "512 B");
  EXPECT_EQ(ProgressBytes(1536), "1.5 KiB");
  EXPECT_EQ(ProgressBytes(210.0 * kMiB), "210.0 MiB");
  EXPECT_EQ(ProgressEta(4), "4s");
  EXPECT_EQ(ProgressEta(3.2), "4s");
  EXPECT_EQ(ProgressEta(65), "1m05s");
  EXPECT_EQ(ProgressEta(2 * 3600 + 3 * 60), "2h03m");
}

TEST(ProgressBarTest, AdvancesFromManyThreadsAddUp) {
  Fake f;
  f.bar->Begin("Checking out data", "files", 4000, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) f.bar->Advance(1, 0);
    });
  for (auto& t : threads) t.join();
  EXPECT_NE(f.bar->LineAt(f.now + 1, true).find("(4000/4000 files)"), std::string::npos);
}

}  // namespace
}  // namespace trail::cli
