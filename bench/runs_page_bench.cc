// The runs table's queries on a large project, timed through the public API as `trail ui` calls
// them (one open project, index already synced): a first page filtered and sorted by a metric,
// a page deep in the listing, a count, the keys of the column chooser. Median of --repeat tries.
//
//   runs_page_bench DIR [--repeat N]      (a project made by gen_runs, e.g. /tmp/big100k)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "trail/runs.h"

namespace {

double MedianMs(int repeat, const std::function<void()>& fn) {
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    auto start = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: runs_page_bench DIR [--repeat N]\n");
    return 2;
  }
  int repeat = 9;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::max(1, std::atoi(argv[i + 1]));
  }
  auto project = trail::api::Project::Open(argv[1], nullptr);
  if (!project.ok()) {
    std::fprintf(stderr, "%s\n", project.status().message().c_str());
    return 1;
  }
  auto synced = trail::api::SyncIndex(**project);
  if (!synced.ok()) {
    std::fprintf(stderr, "%s\n", synced.status().message().c_str());
    return 1;
  }
  const std::string where = "metrics.loss < 0.5 and params.lr > 0.01";
  struct Case {
    const char* name;
    trail::api::RunQuery query;
  };
  auto q = [](std::string w, std::string sort, bool desc, int64_t offset) {
    trail::api::RunQuery query;
    query.where = std::move(w);
    query.sort = std::move(sort);
    query.descending = desc;
    query.offset = offset;
    query.limit = 50;
    return query;
  };
  std::vector<Case> cases = {
      {"first page, filtered, sort metrics.accuracy desc", q(where, "metrics.accuracy", true, 0)},
      {"first page, filtered, sort metrics.accuracy asc", q(where, "metrics.accuracy", false, 0)},
      {"first page, filtered, sort metrics.loss asc", q(where, "metrics.loss", false, 0)},
      {"first page, filtered, sort params.lr desc", q(where, "params.lr", true, 0)},
      {"first page, filtered, sort metrics.acc (no such metric)", q(where, "metrics.acc", false, 0)},
      {"first page, unfiltered, newest first", q("", "", false, 0)},
      {"offset 90000, sort metrics.accuracy", q("", "metrics.accuracy", false, 90000)},
      {"offset 90000, newest first", q("", "", false, 90000)},
  };
  for (const Case& c : cases) {
    int64_t rows = 0;
    trail::Status status;
    double ms = MedianMs(repeat, [&] {
      rows = 0;
      status = trail::api::ForEachRun(**project, c.query, [&](const trail::api::RunRow&) {
        ++rows;
        return trail::Status::Ok();
      });
    });
    if (!status.ok()) {
      std::fprintf(stderr, "%s: %s\n", c.name, status.message().c_str());
      return 1;
    }
    std::printf("%-56s %8.2f ms  (%lld rows)\n", c.name, ms, static_cast<long long>(rows));
  }
  int64_t total = 0;
  double count_ms = MedianMs(repeat, [&] {
    auto n = trail::api::CountRuns(**project, where, false);
    total = n.ok() ? *n : -1;
  });
  std::printf("%-56s %8.2f ms  (%lld runs)\n", "count, filtered", count_ms, static_cast<long long>(total));
  double all_ms = MedianMs(repeat, [&] {
    auto n = trail::api::CountRuns(**project, "", false);
    total = n.ok() ? *n : -1;
  });
  std::printf("%-56s %8.2f ms  (%lld runs)\n", "count, all", all_ms, static_cast<long long>(total));
  size_t keys = 0;
  double keys_ms = MedianMs(repeat, [&] {
    auto k = trail::api::ListRunKeys(**project);
    keys = k.ok() ? k->params.size() + k->metrics.size() + k->tags.size() + k->derived.size() + k->context.size() : 0;
  });
  std::printf("%-56s %8.2f ms  (%zu keys)\n", "keys (column chooser)", keys_ms, keys);
  return 0;
}
