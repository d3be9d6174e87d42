// gen_runs: fills a trail project's runs branch with N realistic run records.
//
// Usage: gen_runs --repo DIR [--runs N] [--project NAME] [--branch trail]
//                 [--seed S] [--series] [--wide N] [--append]
//
// Each record has the shape `trail run` writes (see core/live_run.cc): id,
// number, uid, status, user, started/ended/duration_s, command, code, params
// (lr log-uniform, optimizer, batch_size, epochs, layers, dropout), metrics
// summary of loss / val_loss / accuracy (last/min/max/count and steps),
// environment, tags (stage). It is serialized with trail's own
// record::Serialize and all records are written as ONE commit on
// refs/heads/<branch> through git::Repo (libgit2), replacing the branch.
// With --series each run also gets its metrics/<key>.tsv files, as a real run
// has; they make the branch about four times as many blobs.
//
// With --append the new runs are numbered after the branch's runs (its highest number is read
// from the tip's records) and committed on top of its tip, as new runs pulled from a teammate
// would arrive; use another --seed so their uids differ.
//
// Deterministic for a given seed, so two benchmark runs query the same data.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/numbers.h"
#include "base/yaml.h"
#include "git/repo.h"
#include "record/record.h"

namespace {

using trail::Json;

struct Options {
  std::string repo;
  int64_t runs = 100000;
  std::string project = "bench";
  std::string branch = "trail";
  uint64_t seed = 42;
  bool series = false;
  int64_t wide = 0;  // params + metrics per run, 0: the base 9
  bool append = false;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "gen_runs: %s\nusage: gen_runs --repo DIR [--runs N] [--project NAME] [--branch trail]"
               " [--seed S] [--series] [--wide N] [--append]\n",
               why);
  std::exit(2);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--repo")
      o.repo = value();
    else if (a == "--runs")
      o.runs = trail::ParseInt(value()).value_or(-1);
    else if (a == "--project")
      o.project = value();
    else if (a == "--branch")
      o.branch = value();
    else if (a == "--seed")
      o.seed = static_cast<uint64_t>(trail::ParseInt(value()).value_or(42));
    else if (a == "--series")
      o.series = true;
    else if (a == "--append")
      o.append = true;
    else if (a == "--wide")
      o.wide = trail::ParseInt(value()).value_or(-1);
    else
      Usage(("unknown argument " + a).c_str());
  }
  if (o.repo.empty()) Usage("--repo is required");
  if (o.runs < 1) Usage("--runs must be a positive integer");
  if (o.wide < 0 || o.wide > 10000) Usage("--wide must be an integer from 0 to 10000");
  return o;
}

std::string Hex(std::mt19937_64& rng, int chars) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  while (static_cast<int>(s.size()) < chars) {
    uint64_t v = rng();
    for (int i = 0; i < 16 && static_cast<int>(s.size()) < chars; ++i, v >>= 4) s += kDigits[v & 15];
  }
  return s;
}

// Rounded like a logger would print them, so YAML lines have realistic lengths.
double Round(double v, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

struct Curve {
  std::vector<double> values;  // one per epoch
};

// A metric's summary block, as FinalizeRun writes it.
Json Summary(const Curve& c) {
  Json m = Json::object();
  size_t imin = 0, imax = 0;
  for (size_t i = 1; i < c.values.size(); ++i) {
    if (c.values[i] < c.values[imin]) imin = i;
    if (c.values[i] > c.values[imax]) imax = i;
  }
  m["last"] = c.values.back();
  m["min"] = c.values[imin];
  m["max"] = c.values[imax];
  m["count"] = static_cast<int64_t>(c.values.size());
  m["last_step"] = static_cast<int64_t>(c.values.size() - 1);
  m["min_step"] = static_cast<int64_t>(imin);
  m["max_step"] = static_cast<int64_t>(imax);
  return m;
}

std::string SeriesTsv(const Curve& c, double started, double duration) {
  std::string out = "step\ttime\tvalue\n";
  for (size_t i = 0; i < c.values.size(); ++i) {
    double t = started + duration * static_cast<double>(i + 1) / static_cast<double>(c.values.size());
    out += std::to_string(i) + "\t" + trail::FormatDouble(Round(t, 3)) + "\t" + trail::FormatDouble(c.values[i]) + "\n";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = ParseArgs(argc, argv);
  auto t0 = std::chrono::steady_clock::now();
  auto repo = trail::git::Repo::Discover(opt.repo);
  if (!repo.ok()) {
    std::fprintf(stderr, "gen_runs: %s\n", repo.status().message().c_str());
    return 1;
  }

  std::mt19937_64 rng(opt.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> gauss(0.0, 1.0);
  const char* kOptimizers[] = {"adam", "sgd", "rmsprop"};
  const int kBatchSizes[] = {16, 32, 64, 128, 256};
  const char* kStages[] = {"explore", "tune", "final", "draft"};
  const char* kUsers[][2] = {{"Ada Lovelace", "ada@example.com"},
                             {"Alan Turing", "alan@example.com"},
                             {"Grace Hopper", "grace@example.com"},
                             {"Edsger Dijkstra", "edsger@example.com"},
                             {"Barbara Liskov", "barbara@example.com"}};
  const char* kHosts[] = {"gpu-01", "gpu-02", "gpu-03", "laptop-ada", "ci-runner"};
  const std::string base_commit = Hex(rng, 40);
  const double year_start = 1735689600.0;  // 2025-01-01T00:00:00Z
  const double year = 365.0 * 86400.0;

  // --append: after the highest number on the branch (the last shard's run folders).
  const std::string ref = "refs/heads/" + opt.branch;
  std::string tip;
  int64_t first = 1;
  if (opt.append) {
    auto resolved = (*repo)->ResolveRef(ref);
    if (!resolved.ok() || !resolved->has_value()) {
      std::fprintf(stderr, "gen_runs: --append needs the branch %s\n", opt.branch.c_str());
      return 1;
    }
    tip = **resolved;
    auto shards = (*repo)->ListDir(tip, trail::record::kRunsDir);
    int64_t last_shard = -1;
    std::string last_name;
    for (const auto& e : shards.ok() ? *shards : std::vector<trail::git::TreeEntry>{}) {
      auto v = trail::ParseInt(e.name);
      if (e.is_tree && v && *v > last_shard) last_shard = *v, last_name = e.name;
    }
    if (last_shard >= 0) {
      auto runs = (*repo)->ListDir(tip, std::string(trail::record::kRunsDir) + "/" + last_name);
      for (const auto& e : runs.ok() ? *runs : std::vector<trail::git::TreeEntry>{}) {
        auto n = trail::record::RunNumberOf(e.name);
        if (n && *n >= first) first = *n + 1;
      }
    }
  }
  const int64_t last = first + opt.runs - 1;

  std::vector<std::pair<std::string, std::string>> files;
  files.reserve(static_cast<size_t>(opt.runs) * (opt.series ? 4 : 1));
  for (int64_t n = first; n <= last; ++n) {
    std::string id = trail::record::MakeRunId(opt.project, n);
    std::string dir = trail::record::RunDir(id, n);

    // Params.
    double lr = std::pow(10.0, -5.0 + 5.0 * unit(rng));  // log-uniform in [1e-5, 1)
    std::string optimizer = kOptimizers[rng() % 3];
    int64_t batch = kBatchSizes[rng() % 5];
    int64_t epochs = 5 + static_cast<int64_t>(rng() % 46);  // 5..50
    int64_t layers = 1 + static_cast<int64_t>(rng() % 8);
    double dropout = Round(0.5 * unit(rng), 2);

    // Status: mostly finished.
    double u = unit(rng);
    const char* status = u < 0.90   ? trail::record::kFinished
                         : u < 0.96 ? trail::record::kFailed
                                    : trail::record::kKilled;
    int64_t exit_code = status == std::string(trail::record::kFinished) ? 0
                        : status == std::string(trail::record::kFailed) ? 1
                                                                        : 130;
    int64_t done_epochs = status == std::string(trail::record::kFinished)
                              ? epochs
                              : 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(epochs));

    // Curves: the final loss depends on lr (best near 1e-3) plus noise.
    double quality = std::fabs(std::log10(lr) + 3.0);  // 0 at lr=1e-3
    double floor = 0.05 + 0.25 * quality + 0.05 * std::fabs(gauss(rng)) + 0.02 * (optimizer == "sgd");
    double start_loss = 2.0 + 0.3 * unit(rng);
    Curve loss, val_loss, accuracy;
    for (int64_t e = 0; e < done_epochs; ++e) {
      double decay = std::exp(-3.0 * static_cast<double>(e + 1) / static_cast<double>(epochs));
      double l = floor + (start_loss - floor) * decay + 0.01 * gauss(rng);
      double v = l * (1.05 + 0.1 * unit(rng)) + 0.01 * static_cast<double>(layers) * (1.0 - decay);
      loss.values.push_back(Round(std::max(l, 0.001), 6));
      val_loss.values.push_back(Round(std::max(v, 0.001), 6));
      accuracy.values.push_back(Round(std::clamp(1.0 - v / 2.5 + 0.01 * gauss(rng), 0.0, 1.0), 6));
    }

    // Times: spread over a year in run order.
    double started = year_start + year * (static_cast<double>(n) - unit(rng)) / static_cast<double>(last);
    double per_epoch = 5.0 + 60.0 * unit(rng) * static_cast<double>(layers) / 4.0;
    double duration = Round(per_epoch * static_cast<double>(done_epochs), 3);
    started = Round(started, 3);

    Json rec = Json::object();
    rec["trail"] = trail::record::kFormatVersion;
    rec["id"] = id;
    rec["number"] = n;
    rec["uid"] = Hex(rng, 32);
    rec["status"] = status;
    rec["exit_code"] = exit_code;
    const auto& who = kUsers[rng() % 5];
    rec["user"] = Json{{"name", who[0]}, {"email", who[1]}};
    rec["started"] = trail::FormatIsoTime(started);
    rec["ended"] = trail::FormatIsoTime(started + duration);
    rec["duration_s"] = duration;
    rec["command"] = Json::array({"python", "train.py", "--lr", trail::FormatDouble(Round(lr, 8)), "--optimizer",
                                  optimizer, "--batch-size", std::to_string(batch), "--epochs", std::to_string(epochs),
                                  "--layers", std::to_string(layers), "--dropout", trail::FormatDouble(dropout)});
    rec["cwd"] = ".";
    rec["host"] = kHosts[rng() % 5];
    rec["code"] = Json{{"entry_point", "train.py"},      {"branch", "main"},
                       {"commit", base_commit},          {"snapshot", Hex(rng, 40)},
                       {"ref", "refs/trail/code/" + id}, {"dirty", unit(rng) < 0.3}};
    Json params = Json::object();
    params["lr"] = Round(lr, 8);
    params["optimizer"] = optimizer;
    params["batch_size"] = batch;
    params["epochs"] = epochs;
    params["layers"] = layers;
    params["dropout"] = dropout;
    // --wide: the extra keys, about half params and half metrics.
    int64_t extra = std::max<int64_t>(0, opt.wide - 9);
    int64_t extra_params = extra / 2, extra_metrics = extra - extra_params;
    for (int64_t k = 0; k < extra_params; ++k) {
      char name[16];
      std::snprintf(name, sizeof name, "p%02lld", static_cast<long long>(k));
      params[name] = Round(unit(rng), 4);
    }
    rec["params"] = params;
    Json summary = Json::object();
    Json series = Json::object();
    const std::pair<const char*, const Curve*> curves[] = {
        {"loss", &loss}, {"val_loss", &val_loss}, {"accuracy", &accuracy}};
    for (const auto& [key, curve] : curves) {
      summary[key] = Summary(*curve);
      std::string file = std::string(trail::record::kMetricsDir) + "/" + trail::record::SeriesFileName(key);
      series[key] = file;
      if (opt.series) files.emplace_back(dir + "/" + file, SeriesTsv(*curve, started, duration));
    }
    for (int64_t k = 0; k < extra_metrics; ++k) {
      char name[16];
      std::snprintf(name, sizeof name, "m%02lld", static_cast<long long>(k));
      Curve c;
      c.values.push_back(Round(unit(rng), 6));
      summary[name] = Summary(c);
    }
    Json metrics = Json::object();
    metrics["summary"] = summary;
    if (opt.series) metrics["series"] = series;
    rec["metrics"] = metrics;
    rec["environment"] = Json{{"os", "Linux"}, {"kernel", "6.1.0-18-amd64"}, {"arch", "x86_64"}, {"trail", "0.1.0"}};
    rec["tags"] = Json{{"stage", kStages[rng() % 4]}};

    files.emplace_back(trail::record::RecordPath(id, n), trail::record::Serialize(rec));
  }
  auto t1 = std::chrono::steady_clock::now();

  trail::git::Identity who{"trail bench", "bench@localhost"};
  const std::string message = "bench: " + std::to_string(opt.runs) + " generated runs";
  trail::StatusOr<std::string> commit = std::string();
  if (opt.append) {
    std::vector<trail::git::FileWrite> writes;
    writes.reserve(files.size());
    for (auto& [path, content] : files) writes.push_back({path, std::move(content), false});
    commit = (*repo)->WriteCommitOnto(tip, writes, {tip}, message, who);
  } else {
    commit = (*repo)->WriteCommitFromFiles(files, {}, message, who);
  }
  if (!commit.ok()) {
    std::fprintf(stderr, "gen_runs: %s\n", commit.status().message().c_str());
    return 1;
  }
  trail::Status s = (*repo)->SetRef(ref, *commit, "bench: generated runs");
  if (!s.ok()) {
    std::fprintf(stderr, "gen_runs: %s\n", s.message().c_str());
    return 1;
  }
  auto t2 = std::chrono::steady_clock::now();
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::fprintf(stderr, "gen_runs: %lld runs, %zu files; records built in %.1f s, committed %s in %.1f s\n",
               static_cast<long long>(opt.runs), files.size(), secs(t0, t1), commit->substr(0, 12).c_str(),
               secs(t1, t2));
  std::printf("%s\n", commit->c_str());
  return 0;
}
