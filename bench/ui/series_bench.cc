// Series for charts (`trail ui`): parsing a 1,000,000-point series file into columns, a cache
// hit, and downsampling 1,000,000 points to 1,000 with every extreme kept.
// Run: build/bench/series_bench (Google Benchmark flags apply, e.g. --benchmark_repetitions=5).
// With TRAIL_BENCH_SERIES=<project dir>:<run>:<metric> it also measures, through the public API
// on that recorded run, reading the series' bytes (ReadSeries) and a LoadSeries cache hit (which
// still finds the run's series content id on the branch).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "metrics/downsample.h"
#include "metrics/series_cache.h"
#include "metrics/series_columns.h"
#include "metrics/series_tsv.h"
#include "trail/project.h"
#include "trail/runs.h"
#include "trail/series.h"

namespace {

using namespace trail::metrics;

constexpr size_t kPoints = 1'000'000;

// A training curve: decaying loss with noise and a few spikes, as SeriesToTsv writes it.
const std::string& MillionPointTsv() {
  static const std::string tsv = [] {
    std::vector<Point> points;
    points.reserve(kPoints);
    std::mt19937_64 rng(1);
    std::normal_distribution<double> noise(0, 0.01);
    for (size_t i = 0; i < kPoints; ++i) {
      double v = 2.0 / (1.0 + static_cast<double>(i) / 1e4) + noise(rng);
      if (i % 99'991 == 17) v = 50;
      points.push_back({static_cast<int64_t>(i), 1.7e9 + 0.05 * static_cast<double>(i), v});
    }
    return SeriesToTsv(points);
  }();
  return tsv;
}

const SeriesColumns& MillionPointColumns() {
  static const SeriesColumns cols = *ParseSeriesColumns(MillionPointTsv());
  return cols;
}

void BM_ParseSeriesColumns(benchmark::State& state) {
  const std::string& tsv = MillionPointTsv();
  for (auto _ : state) {
    auto cols = ParseSeriesColumns(tsv);
    benchmark::DoNotOptimize(cols);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * tsv.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPoints));
  state.counters["tsv_MB"] = static_cast<double>(tsv.size()) / 1e6;
}
BENCHMARK(BM_ParseSeriesColumns)->Unit(benchmark::kMillisecond);

// The reference parser (a Point vector through per-line string_views), for comparison.
void BM_SeriesFromTsv(benchmark::State& state) {
  const std::string& tsv = MillionPointTsv();
  for (auto _ : state) {
    auto points = SeriesFromTsv(tsv);
    benchmark::DoNotOptimize(points);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPoints));
}
BENCHMARK(BM_SeriesFromTsv)->Unit(benchmark::kMillisecond);

void BM_CacheHit(benchmark::State& state) {
  SeriesCache<SeriesColumns> cache(size_t{64} << 20);
  auto cols = std::make_shared<const SeriesColumns>(MillionPointColumns());
  const std::string key = "sha256:" + std::string(64, 'a');
  cache.Insert(key, cols, cols->bytes());
  for (auto _ : state) {
    auto hit = cache.Find(key);
    benchmark::DoNotOptimize(hit);
  }
}
BENCHMARK(BM_CacheHit);

void BM_Downsample(benchmark::State& state) {
  const SeriesColumns& cols = MillionPointColumns();
  DownsampleOptions options;
  options.x = static_cast<XAxis>(state.range(0));
  options.points = 1000;
  size_t kept = 0;
  for (auto _ : state) {
    DownsampleResult r = Downsample({cols.step, cols.time, cols.value}, options);
    kept = r.x.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPoints));
  state.counters["points_out"] = static_cast<double>(kept);
}
BENCHMARK(BM_Downsample)->Arg(0)->Arg(1)->Arg(2)->ArgNames({"x"})->Unit(benchmark::kMillisecond);

// A zoomed view: 1% of the x range of a million points, at full resolution budget.
void BM_DownsampleZoom(benchmark::State& state) {
  const SeriesColumns& cols = MillionPointColumns();
  DownsampleOptions options;
  options.from = 500'000;
  options.to = 510'000;
  options.points = 1000;
  for (auto _ : state) benchmark::DoNotOptimize(Downsample({cols.step, cols.time, cols.value}, options));
}
BENCHMARK(BM_DownsampleZoom)->Unit(benchmark::kMillisecond);

struct ApiTarget {
  std::unique_ptr<trail::api::Project> project;
  trail::api::StoredRun run;
  std::string metric;
};

void BM_ApiReadSeriesText(benchmark::State& state, ApiTarget* t) {
  for (auto _ : state) {
    auto text = trail::api::ReadSeries(*t->project, t->run, t->metric);
    if (!text.ok()) state.SkipWithError(text.status().message().c_str());
    benchmark::DoNotOptimize(text);
  }
}

void BM_ApiLoadSeriesHit(benchmark::State& state, ApiTarget* t) {
  auto first = trail::api::LoadSeries(*t->project, t->run, t->metric);  // fills the cache
  if (!first.ok()) state.SkipWithError(first.status().message().c_str());
  state.counters["points"] = first.ok() ? static_cast<double>((*first)->value.size()) : 0;
  for (auto _ : state) {
    auto s = trail::api::LoadSeries(*t->project, t->run, t->metric);
    benchmark::DoNotOptimize(s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  static ApiTarget target;
  if (const char* spec = std::getenv("TRAIL_BENCH_SERIES")) {
    std::string s = spec;
    size_t a = s.find(':'), b = s.rfind(':');
    if (a == std::string::npos || a == b) {
      std::fprintf(stderr, "TRAIL_BENCH_SERIES must be DIR:RUN:METRIC\n");
      return 2;
    }
    auto project = trail::api::Project::Open(s.substr(0, a), nullptr);
    if (!project.ok()) {
      std::fprintf(stderr, "%s\n", project.status().message().c_str());
      return 2;
    }
    target.project = std::move(*project);
    auto run = trail::api::LoadRun(*target.project, s.substr(a + 1, b - a - 1));
    if (!run.ok()) {
      std::fprintf(stderr, "%s\n", run.status().message().c_str());
      return 2;
    }
    target.run = std::move(*run);
    target.metric = s.substr(b + 1);
    benchmark::RegisterBenchmark("BM_ApiReadSeriesText", BM_ApiReadSeriesText, &target)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_ApiLoadSeriesHit", BM_ApiLoadSeriesHit, &target)->Unit(benchmark::kMicrosecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
