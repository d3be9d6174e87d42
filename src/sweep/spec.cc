#include "sweep/spec.h"

#include <cctype>
#include <cmath>
#include <set>

#include "base/numbers.h"
#include "record/record.h"

namespace trail::sweep {
namespace {

Status Bad(const std::string& where, const std::string& why) { return InvalidArgument(where + ": " + why); }

Status CheckKeys(const Json& m, const std::string& where, const std::set<std::string>& allowed) {
  if (!m.is_object()) return Bad(where, "expected a mapping");
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (!allowed.count(it.key())) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return Bad(where, "unknown key '" + it.key() + "' (expected " + list + ")");
    }
  }
  return Status::Ok();
}

StatusOr<Goal> ParseGoal(const Json& v, const std::string& where) {
  if (v == "minimize" || v == "min") return Goal::kMinimize;
  if (v == "maximize" || v == "max") return Goal::kMaximize;
  return Bad(where, "expected minimize or maximize");
}

StatusOr<int64_t> PositiveInt(const Json& v, const std::string& where, int64_t min) {
  if (!v.is_number_integer() || v.get<int64_t>() < min) {
    return Bad(where, "expected a whole number >= " + std::to_string(min));
  }
  return v.get<int64_t>();
}

StatusOr<std::string> MetricName(const Json& v, const std::string& where) {
  if (!v.is_string() || v.get<std::string>().empty()) return Bad(where, "expected a metric name");
  return v.get<std::string>();
}

StatusOr<Objective> ParseObjective(const Json& o) {
  Objective obj;
  if (o.is_string()) {
    obj.metric = o.get<std::string>();
    if (obj.metric.empty()) return Bad("objective", "expected a metric name");
    return obj;
  }
  TRAIL_RETURN_IF_ERROR(CheckKeys(o, "objective", {"metric", "summary", "goal"}));
  if (!o.contains("metric")) return Bad("objective", "metric is required");
  TRAIL_ASSIGN_OR_RETURN(obj.metric, MetricName(o["metric"], "objective.metric"));
  if (o.contains("goal")) {
    TRAIL_ASSIGN_OR_RETURN(obj.goal, ParseGoal(o["goal"], "objective.goal"));
  }
  // The natural summary follows the goal: the best value the trial reached.
  obj.summary = obj.goal == Goal::kMinimize ? Summary::kMin : Summary::kMax;
  if (o.contains("summary")) {
    const Json& s = o["summary"];
    if (s == "min")
      obj.summary = Summary::kMin;
    else if (s == "max")
      obj.summary = Summary::kMax;
    else if (s == "last")
      obj.summary = Summary::kLast;
    else
      return Bad("objective.summary", "expected min, max or last");
  }
  return obj;
}

}  // namespace

StatusOr<double> ParseDurationSeconds(const std::string& text) {
  if (auto n = ParseDouble(text); n && *n > 0 && std::isfinite(*n)) return *n;
  double total = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i || i == text.size())
      return InvalidArgument("'" + text + "' is not a duration (e.g. 90s, 30m, 2h, 1h30m)");
    auto value = ParseDouble(text.substr(start, i - start));
    if (!value) return InvalidArgument("'" + text + "' is not a duration (e.g. 90s, 30m, 2h, 1h30m)");
    double unit = 0;
    switch (text[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return InvalidArgument("'" + text + "' is not a duration (e.g. 90s, 30m, 2h, 1h30m)");
    }
    ++i;
    total += *value * unit;
    any = true;
  }
  if (!any || !(total > 0)) return InvalidArgument("'" + text + "' is not a duration (e.g. 90s, 30m, 2h, 1h30m)");
  return total;
}

StatusOr<std::vector<std::string>> SplitCommandLine(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      size_t end = line.find('\'', i + 1);
      if (end == std::string::npos) return InvalidArgument("command: unterminated ' quote");
      word += line.substr(i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() && std::string("\"\\$`").find(line[j + 1]) != std::string::npos) ++j;
        word += line[j];
      }
      if (j >= line.size()) return InvalidArgument("command: unterminated \" quote");
      i = j;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

StatusOr<std::vector<std::string>> Placeholders(const std::string& word) {
  std::vector<std::string> names;
  for (size_t i = 0; i < word.size(); ++i) {
    if (word[i] == '{') {
      if (i + 1 < word.size() && word[i + 1] == '{') {
        ++i;
        continue;
      }
      size_t end = word.find('}', i);
      if (end == std::string::npos)
        return InvalidArgument("command: unclosed { in '" + word + "' (write {{ for a brace)");
      std::string name = word.substr(i + 1, end - i - 1);
      if (name.empty()) return InvalidArgument("command: empty placeholder {} in '" + word + "'");
      names.push_back(name);
      i = end;
    } else if (word[i] == '}' && i + 1 < word.size() && word[i + 1] == '}') {
      ++i;
    }
  }
  return names;
}

std::vector<std::string> Substitute(const std::vector<std::string>& words, const hpo::Point& point) {
  std::vector<std::string> out;
  for (const std::string& w : words) {
    std::string s;
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == '{' && i + 1 < w.size() && w[i + 1] == '{') {
        s += '{';
        ++i;
      } else if (w[i] == '}' && i + 1 < w.size() && w[i + 1] == '}') {
        s += '}';
        ++i;
      } else if (w[i] == '{' && w.find('}', i) != std::string::npos) {
        size_t end = w.find('}', i);
        std::string name = w.substr(i + 1, end - i - 1);
        s += point.contains(name) ? record::ScalarText(point[name]) : "";
        i = end;
      } else {
        s += w[i];
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

StatusOr<Spec> ParseSpec(const Json& j) {
  Spec spec;
  spec.source = j;
  TRAIL_RETURN_IF_ERROR(CheckKeys(
      j, "sweep spec",
      {"name", "command", "objective", "strategy", "budget", "space", "early_stop", "prune", "seed", "executor"}));
  if (j.contains("name")) {
    if (!j["name"].is_string()) return Bad("name", "expected a string");
    spec.name = j["name"].get<std::string>();
  }
  // space first: the command's placeholders are checked against it.
  if (!j.contains("space")) return Bad("space", "required: the parameters to search");
  TRAIL_ASSIGN_OR_RETURN(spec.space, hpo::ParseSpace(j["space"]));
  if (spec.space.dims.empty()) return Bad("space", "name at least one parameter");

  if (!j.contains("command")) return Bad("command", "required: the command each trial runs");
  const Json& cmd = j["command"];
  if (cmd.is_string()) {
    TRAIL_ASSIGN_OR_RETURN(spec.command, SplitCommandLine(cmd.get<std::string>()));
  } else if (cmd.is_array()) {
    for (const auto& w : cmd) {
      if (!w.is_string()) return Bad("command", "expected a string or a list of strings");
      spec.command.push_back(w.get<std::string>());
    }
  } else {
    return Bad("command", "expected a string or a list of strings");
  }
  if (spec.command.empty()) return Bad("command", "is empty");
  for (const auto& w : spec.command) {
    TRAIL_ASSIGN_OR_RETURN(auto names, Placeholders(w));
    for (const auto& n : names) {
      if (!spec.space.Find(n)) return Bad("command", "placeholder {" + n + "} has no entry in space");
    }
  }

  if (!j.contains("objective")) return Bad("objective", "required, e.g. {metric: val_loss, goal: minimize}");
  TRAIL_ASSIGN_OR_RETURN(spec.objective, ParseObjective(j["objective"]));

  if (j.contains("strategy")) {
    const Json& s = j["strategy"];
    if (!s.is_string() || (s != "grid" && s != "random" && s != "bayes")) {
      return Bad("strategy", "unknown strategy " + (s.is_string() ? "'" + s.get<std::string>() + "'" : s.dump()) +
                                 " (expected grid, random or bayes)");
    }
    spec.strategy = s.get<std::string>();
  }
  if (spec.strategy == "grid") {
    for (const auto& d : spec.space.dims) {
      if (!d.IsDiscrete()) return Bad("space." + d.name, "a grid needs a step (or a choice list) for every parameter");
    }
    spec.trials = static_cast<int64_t>(std::min<uint64_t>(*spec.space.GridSize(), INT64_MAX));
  }

  if (j.contains("budget")) {
    const Json& b = j["budget"];
    TRAIL_RETURN_IF_ERROR(CheckKeys(b, "budget", {"trials", "parallel", "time"}));
    if (b.contains("trials")) {
      TRAIL_ASSIGN_OR_RETURN(int64_t t, PositiveInt(b["trials"], "budget.trials", 1));
      spec.trials = spec.strategy == "grid" ? std::min(spec.trials, t) : t;
    }
    if (b.contains("parallel")) {
      TRAIL_ASSIGN_OR_RETURN(spec.parallel, PositiveInt(b["parallel"], "budget.parallel", 1));
      if (spec.parallel > 64) return Bad("budget.parallel", "at most 64 trials at once");
    }
    if (b.contains("time")) {
      std::string t = b["time"].is_string() ? b["time"].get<std::string>() : record::ScalarText(b["time"]);
      auto s = ParseDurationSeconds(t);
      if (!s.ok()) return Bad("budget.time", s.status().message());
      spec.time_limit_s = *s;
    }
  }

  if (j.contains("early_stop")) {
    const Json& e = j["early_stop"];
    TRAIL_RETURN_IF_ERROR(CheckKeys(e, "early_stop", {"metric", "patience", "min_delta", "goal"}));
    EarlyStop es;
    es.metric = spec.objective.metric;
    es.goal = spec.objective.goal;
    if (e.contains("metric")) {
      TRAIL_ASSIGN_OR_RETURN(es.metric, MetricName(e["metric"], "early_stop.metric"));
      if (es.metric != spec.objective.metric) es.goal = Goal::kMinimize;
    }
    if (e.contains("goal")) {
      TRAIL_ASSIGN_OR_RETURN(es.goal, ParseGoal(e["goal"], "early_stop.goal"));
    }
    if (!e.contains("patience"))
      return Bad("early_stop.patience", "required: steps without improvement before stopping");
    TRAIL_ASSIGN_OR_RETURN(es.patience, PositiveInt(e["patience"], "early_stop.patience", 1));
    if (e.contains("min_delta")) {
      if (!e["min_delta"].is_number() || e["min_delta"].get<double>() < 0)
        return Bad("early_stop.min_delta", "expected a number >= 0");
      es.min_delta = e["min_delta"].get<double>();
    }
    spec.early_stop = es;
  }

  if (j.contains("prune")) {
    const Json& p = j["prune"];
    TRAIL_RETURN_IF_ERROR(CheckKeys(p, "prune", {"rule", "after_steps", "metric", "min_trials", "goal"}));
    if (p.value("rule", Json("median")) != "median") return Bad("prune.rule", "expected median");
    Prune pr;
    pr.metric = spec.objective.metric;
    pr.goal = spec.objective.goal;
    if (p.contains("metric")) {
      TRAIL_ASSIGN_OR_RETURN(pr.metric, MetricName(p["metric"], "prune.metric"));
      if (pr.metric != spec.objective.metric) pr.goal = Goal::kMinimize;
    }
    if (p.contains("goal")) {
      TRAIL_ASSIGN_OR_RETURN(pr.goal, ParseGoal(p["goal"], "prune.goal"));
    }
    if (p.contains("after_steps")) {
      TRAIL_ASSIGN_OR_RETURN(pr.after_steps, PositiveInt(p["after_steps"], "prune.after_steps", 0));
    }
    if (p.contains("min_trials")) {
      TRAIL_ASSIGN_OR_RETURN(pr.min_trials, PositiveInt(p["min_trials"], "prune.min_trials", 1));
    }
    spec.prune = pr;
  }

  if (j.contains("seed")) {
    if (!j["seed"].is_number_integer() || j["seed"].get<int64_t>() < 0)
      return Bad("seed", "expected a whole number >= 0");
    spec.seed = j["seed"].get<uint64_t>();
  }

  // executor: local (the default) | {slurm: {partition, time, cpus, ...}} (docs/cluster.md).
  if (j.contains("executor")) {
    const Json& e = j["executor"];
    if (e == "slurm") {
      spec.slurm = cluster::SlurmOptions{};
    } else if (e.is_object()) {
      TRAIL_RETURN_IF_ERROR(CheckKeys(e, "executor", {"local", "slurm"}));
      if (e.contains("slurm")) {
        TRAIL_ASSIGN_OR_RETURN(cluster::SlurmOptions o, cluster::SlurmOptionsFromJson(e["slurm"], "executor.slurm"));
        spec.slurm = o;
      }
    } else if (e != "local") {
      return Bad("executor",
                 "expected local, slurm or {slurm: {partition, time, cpus, mem, gres, account, sbatch_args}}");
    }
  }
  return spec;
}

}  // namespace trail::sweep
