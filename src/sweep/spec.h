// A sweep specification (`trail sweep sweep.yaml`): what to run, what to
// optimise, how, and within which budget. See docs/sweeps.md.
//
//   command: python train.py --lr {lr} --layers {layers}
//   objective: {metric: val_loss, summary: min, goal: minimize}
//   strategy: bayes            # grid | random | bayes
//   budget: {trials: 50, parallel: 2, time: 2h}
//   space: {...}               # hpo/space.h
//   early_stop: {metric: val_loss, patience: 10}
//   prune: {rule: median, after_steps: 5}
//   seed: 7
//   name: lr-search
//   executor: {slurm: {partition: gpu, time: "1:00:00", gres: "gpu:1"}}   # default: local
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "cluster/slurm.h"
#include "hpo/space.h"
#include "trail/status.h"

namespace trail::sweep {

enum class Goal { kMinimize, kMaximize };
enum class Summary { kMin, kMax, kLast };

struct Objective {
  std::string metric;
  Summary summary = Summary::kMin;
  Goal goal = Goal::kMinimize;
};

struct EarlyStop {
  std::string metric;
  int64_t patience = 0;  // points without improvement before the trial stops
  double min_delta = 0;  // an improvement must beat the best by more than this
  Goal goal = Goal::kMinimize;
};

struct Prune {
  std::string metric;
  int64_t after_steps = 0;  // never prune before this step
  int64_t min_trials = 5;   // completed trials needed before the median means anything
  Goal goal = Goal::kMinimize;
};

struct Spec {
  std::string name;
  std::vector<std::string> command;  // words with {placeholders}
  Objective objective;
  std::string strategy = "random";
  int64_t trials = 10;
  int64_t parallel = 1;
  std::optional<double> time_limit_s;
  hpo::Space space;
  std::optional<EarlyStop> early_stop;
  std::optional<Prune> prune;
  uint64_t seed = 0;
  // executor: slurm: each trial is a batch job with these options; nullopt: local processes.
  std::optional<cluster::SlurmOptions> slurm;
  Json source;  // the spec as written, kept in the sweep record
};

// Parses and validates a spec. Every error is one line naming the key,
// e.g. "command: placeholder {lr2} has no entry in space" or
// "space.lr: a log scale needs start > 0". Nothing runs before this passes.
StatusOr<Spec> ParseSpec(const Json& spec);

// "2h", "90m", "45s", "1h30m", "1d" or a number of seconds.
StatusOr<double> ParseDurationSeconds(const std::string& text);

// Splits a command line into words as a POSIX shell would for plain words:
// whitespace separates, '...' and "..." quote, backslash escapes. No
// expansion. InvalidArgument on an unterminated quote.
StatusOr<std::vector<std::string>> SplitCommandLine(const std::string& line);

// The placeholders ({name}) in `word`; "{{" and "}}" are literal braces.
StatusOr<std::vector<std::string>> Placeholders(const std::string& word);

// `words` with every {name} replaced by the point's value as text.
std::vector<std::string> Substitute(const std::vector<std::string>& words, const hpo::Point& point);

}  // namespace trail::sweep
