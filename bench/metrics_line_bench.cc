// metrics_line_bench: how fast trail reads the metrics line protocol (JSON lines such as
// {"step": 3, "loss": 0.21, "val_loss": 0.25}), in points per second on one core.
//
// Usage: metrics_line_bench [LINES]   (default 1,000,000 lines, 2 points each)
//
//   parse   LineParser alone over lines already in memory, as the tailer holds them (best of 3
//           passes, each into a fresh set, by the thread's CPU time and by wall time);
//   tailer  the whole pipeline from a file on disk to the metric set (MetricsTailer::Finish).
// The points read are checked, so a parser that got fast by dropping lines would fail here.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/line_parser.h"
#include "metrics/metric_set.h"
#include "metrics/tailer.h"

namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string Line(int64_t i) {
  return "{\"step\": " + std::to_string(i) + ", \"loss\": 0." + std::to_string(1000 + (i * 7919) % 9000) +
         ", \"val_loss\": 0." + std::to_string(2000 + (i * 104729) % 7000) + "}";
}

}  // namespace

int main(int argc, char** argv) {
  using trail::metrics::LineParser;
  using trail::metrics::MetricSet;
  using trail::metrics::MetricsTailer;
  const int64_t lines_n = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  if (lines_n <= 0) {
    std::fprintf(stderr, "metrics_line_bench: LINES must be a positive number\n");
    return 2;
  }

  std::string text;
  std::vector<size_t> ends;
  for (int64_t i = 0; i < lines_n; ++i) {
    text += Line(i);
    ends.push_back(text.size());
  }
  std::vector<std::string_view> lines;
  for (size_t i = 0, start = 0; i < ends.size(); start = ends[i++])
    lines.emplace_back(text.data() + start, ends[i] - start);

  double best_wall = 0, best_cpu = 0;
  for (int pass = 0; pass < 3; ++pass) {
    MetricSet set;
    LineParser parser;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuSeconds();
    for (std::string_view line : lines) {
      if (!parser.Parse(line, 1000.0, set).ok()) {
        std::fprintf(stderr, "metrics_line_bench: a generated line did not parse\n");
        return 1;
      }
    }
    const double cpu = ThreadCpuSeconds() - cpu_start;
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    if (set.TotalPoints() != 2 * lines_n) {
      std::fprintf(stderr, "metrics_line_bench: %lld points parsed, %lld expected\n",
                   static_cast<long long>(set.TotalPoints()), static_cast<long long>(2 * lines_n));
      return 1;
    }
    best_wall = std::max(best_wall, set.TotalPoints() / wall.count());
    best_cpu = std::max(best_cpu, set.TotalPoints() / cpu);
  }
  std::printf("parse   %12.0f points/s of thread CPU time, %12.0f points/s of wall time (best of 3)\n", best_cpu,
              best_wall);

  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("metrics_line_bench-" + std::to_string(::getpid()) + ".jsonl");
  {
    std::ofstream out(path, std::ios::binary);
    for (size_t i = 0, start = 0; i < ends.size(); start = ends[i++]) {
      out.write(text.data() + start, static_cast<std::streamsize>(ends[i] - start));
      out.put('\n');
    }
  }
  MetricsTailer tailer(path.string());
  MetricSet set;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = ThreadCpuSeconds();
  const bool ok = tailer.Finish(0, set).ok();
  const double cpu = ThreadCpuSeconds() - cpu_start;
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
  const auto bytes = std::filesystem::file_size(path);
  std::filesystem::remove(path);
  if (!ok || set.TotalPoints() != 2 * lines_n) {
    std::fprintf(stderr, "metrics_line_bench: the tailer read %lld points, %lld expected\n",
                 static_cast<long long>(set.TotalPoints()), static_cast<long long>(2 * lines_n));
    return 1;
  }
  std::printf("tailer  %12.0f points/s of thread CPU time, %12.0f points/s of wall time, from a %llu MiB file\n",
              set.TotalPoints() / cpu, set.TotalPoints() / wall.count(), static_cast<unsigned long long>(bytes >> 20));
  return 0;
}
