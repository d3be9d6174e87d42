// trail's search strategies on two standard test functions, in process: simple regret (best value
// so far minus the known optimum) after 10, 25 and 50 trials over many seeds, and the time one
// bayes proposal takes with 50 and 100 finished trials in 6-D.
//
//   hpo_bench [seeds=20] [trials=50]
//   env HPO_SAMPLERS=random,bayes  HPO_PROBLEMS=Branin,Hartmann6  HPO_TIMING=0 (skip timing)
//       HPO_PER_SEED=1 (each seed's regret on stderr)
//       HPO_TUNE=1 with HPO_INIT, HPO_RESTARTS, HPO_CANDIDATES, HPO_LOCAL: BayesOptions to try
//
// Rows have the layout of /work/shared/bench/optuna_baseline.py, so bench/hpo/run.sh can print
// both in one table.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "hpo/bayes.h"
#include "hpo/random_search.h"
#include "hpo/space.h"
#include "hpo/strategy.h"

namespace {

using trail::Json;
using trail::hpo::Observation;
using trail::hpo::Point;
using trail::hpo::Space;
using trail::hpo::Strategy;
using Clock = std::chrono::steady_clock;

double Branin(const std::vector<double>& x) {
  const double pi = std::numbers::pi;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;
  return u * u + 10 * (1 - t) * std::cos(x[0]) + 10;
}

double Hartmann6(const std::vector<double>& x) {
  static const double a[4][6] = {
      {10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
  static const double p[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                 {2329, 4135, 8307, 3736, 1004, 9991},
                                 {2348, 1451, 3522, 2883, 3047, 6650},
                                 {4047, 8828, 8732, 5743, 1091, 381}};
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  double sum = 0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0;
    for (int j = 0; j < 6; ++j) inner += a[i][j] * (x[j] - 1e-4 * p[i][j]) * (x[j] - 1e-4 * p[i][j]);
    sum += alpha[i] * std::exp(-inner);
  }
  return -sum;
}

struct Problem {
  std::string name;
  std::function<double(const std::vector<double>&)> f;
  std::vector<std::pair<double, double>> bounds;
  double optimum;
};

Space MakeSpace(const Problem& p) {
  Json spec = Json::object();
  for (size_t i = 0; i < p.bounds.size(); ++i) {
    spec["x" + std::to_string(i)] = {{"start", p.bounds[i].first}, {"end", p.bounds[i].second}};
  }
  auto space = trail::hpo::ParseSpace(spec);
  if (!space.ok()) {
    std::fprintf(stderr, "%s\n", space.status().message().c_str());
    std::exit(1);
  }
  return *space;
}

std::vector<double> Coordinates(const Point& x, size_t dims) {
  std::vector<double> out;
  for (size_t i = 0; i < dims; ++i) out.push_back(x["x" + std::to_string(i)].get<double>());
  return out;
}

std::unique_ptr<Strategy> Make(const std::string& sampler, const Space& space, uint64_t seed) {
  if (sampler == "bayes" && std::getenv("HPO_TUNE")) {
    trail::hpo::BayesOptions o;
    if (auto* v = std::getenv("HPO_INIT")) o.initial_trials = std::atoi(v);
    if (auto* v = std::getenv("HPO_RESTARTS")) o.fit.restarts = std::atoi(v);
    if (auto* v = std::getenv("HPO_CANDIDATES")) o.search.candidates = std::atoi(v);
    if (auto* v = std::getenv("HPO_LOCAL")) o.search.local_searches = std::atoi(v);
    return trail::hpo::MakeBayesStrategy(space, seed, o);
  }
  auto s = trail::hpo::MakeStrategy(sampler, space, seed);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.status().message().c_str());
    std::exit(1);
  }
  return std::move(s).value();
}

// CPU time of this thread: unlike wall time, barely moved by other jobs on a shared machine.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return 1e3 * static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_nsec);
}

// numpy.percentile's default (linear interpolation between order statistics).
double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  double pos = q * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

bool Wanted(const char* env, const std::string& name) {
  const char* v = std::getenv(env);
  if (!v || !*v) return true;
  std::stringstream list(v);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (item == name) return true;
  }
  return false;
}

void RunRegret(const Problem& problem, const std::string& sampler, int seeds, int trials) {
  Space space = MakeSpace(problem);
  std::vector<std::vector<double>> regret(seeds);
  double propose_seconds = 0;
  for (int seed = 0; seed < seeds; ++seed) {
    auto strategy = Make(sampler, space, static_cast<uint64_t>(seed));
    std::vector<Observation> done;
    double best = HUGE_VAL;
    for (int t = 0; t < trials; ++t) {
      auto start = Clock::now();
      auto x = strategy->Propose(done, {});
      propose_seconds += std::chrono::duration<double>(Clock::now() - start).count();
      if (!x.ok()) {
        std::fprintf(stderr, "%s seed %d trial %d: %s\n", sampler.c_str(), seed, t, x.status().message().c_str());
        std::exit(1);
      }
      double y = problem.f(Coordinates(*x, problem.bounds.size()));
      best = std::min(best, y);
      regret[seed].push_back(best - problem.optimum);
      done.push_back({*x, y});
    }
  }
  if (std::getenv("HPO_PER_SEED")) {
    for (int seed = 0; seed < seeds; ++seed) {
      std::fprintf(stderr, "%s %s seed %2d:", problem.name.c_str(), sampler.c_str(), seed);
      for (int c : {10, 25, 50}) {
        if (c <= trials) std::fprintf(stderr, " %10.5f", regret[seed][c - 1]);
      }
      std::fprintf(stderr, "\n");
    }
  }
  std::string label = "trail-" + sampler;
  std::printf("%-10s %-13s", problem.name.c_str(), label.c_str());
  for (int c : {10, 25, 50}) {
    if (c > trials) continue;
    std::vector<double> at;
    for (const auto& r : regret) at.push_back(r[c - 1]);
    std::printf(" %9.4f [%7.4f,%7.4f]", Percentile(at, 0.5), Percentile(at, 0.25), Percentile(at, 0.75));
  }
  std::printf("  %8.2f\n", 1e3 * propose_seconds / (seeds * trials));
  std::fflush(stdout);
}

// Time of one bayes proposal with n finished trials of Hartmann6 (random points), over `reps`
// data sets.
void RunTiming(int n, int reps) {
  Problem h6{"Hartmann6", Hartmann6, std::vector<std::pair<double, double>>(6, {0.0, 1.0}), -3.32237};
  Space space = MakeSpace(h6);
  std::vector<double> ms, cpu_ms;
  for (int rep = 0; rep < reps; ++rep) {
    auto random = trail::hpo::MakeRandomStrategy(space, 1000 + rep);
    std::vector<Observation> done;
    for (int i = 0; i < n; ++i) {
      Point x = *random->Propose(done, {});
      done.push_back({x, Hartmann6(Coordinates(x, 6))});
    }
    auto bayes = Make("bayes", space, rep);
    double cpu_start = ThreadCpuMs();
    auto start = Clock::now();
    auto x = bayes->Propose(done, {});
    ms.push_back(1e3 * std::chrono::duration<double>(Clock::now() - start).count());
    cpu_ms.push_back(ThreadCpuMs() - cpu_start);
    if (!x.ok()) std::exit(1);
  }
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
  };
  std::printf(
      "bayes proposal, 6-D, %3d observations: wall mean %6.2f ms, max %6.2f ms; CPU mean %6.2f ms, max %6.2f ms "
      "(%d runs)\n",
      n, mean(ms), *std::max_element(ms.begin(), ms.end()), mean(cpu_ms),
      *std::max_element(cpu_ms.begin(), cpu_ms.end()), reps);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = argc > 1 ? std::atoi(argv[1]) : 20;
  int trials = argc > 2 ? std::atoi(argv[2]) : 50;
  std::vector<Problem> problems = {
      {"Branin", Branin, {{-5.0, 10.0}, {0.0, 15.0}}, 0.397887},
      {"Hartmann6", Hartmann6, std::vector<std::pair<double, double>>(6, {0.0, 1.0}), -3.32237},
  };
  std::printf("trail, %d seeds x %d trials; simple regret = best-so-far - f*, shown as median [q25, q75]\n", seeds,
              trials);
  std::string header = "problem    sampler      ";
  for (int c : {10, 25, 50}) {
    if (c > trials) continue;
    char cell[40];
    std::snprintf(cell, sizeof cell, " %27s", ("@" + std::to_string(c)).c_str());
    header += cell;
  }
  header += "  ms/trial";
  std::printf("%s\n%s\n", header.c_str(), std::string(header.size(), '-').c_str());
  for (const Problem& p : problems) {
    if (!Wanted("HPO_PROBLEMS", p.name)) continue;
    for (const char* s : {"random", "bayes"}) {
      if (Wanted("HPO_SAMPLERS", s)) RunRegret(p, s, seeds, trials);
    }
  }
  const char* timing = std::getenv("HPO_TIMING");
  if (!timing || std::string(timing) != "0") {
    RunTiming(50, 20);
    RunTiming(100, 20);
  }
  return 0;
}
