// trail sweep: hyperparameter search whose every trial is a recorded run.
//   trail sweep SPEC.yaml [--check] [--quiet]
//   trail sweep show ID
//   trail sweep resume ID
//   trail sweep ls
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "commands.h"
#include "table.h"
#include "trail/format.h"
#include "trail/sweep.h"

namespace trail::cli {
namespace {

class CliSweepObserver : public api::SweepObserver {
 public:
  void Started(const Json& s) override {
    std::fprintf(stderr, "trail: sweep %s (%s, %s trials, %s at once)\n", api::GetString(s, "id").c_str(),
                 api::GetString(s, "strategy").c_str(), api::GetString(s["budget"], "trials").c_str(),
                 api::GetString(s["budget"], "parallel").c_str());
  }
  void TrialStarted(const std::string& id, const Json& params) override {}
  void TrialFinished(const Json& t) override {
    std::string line = "trail: trial " + api::GetString(t, "id") + " " + api::GetString(t, "status");
    if (t.contains("value")) line += ", objective " + Cell(t["value"]);
    std::string params;
    for (auto it = t["params"].begin(); it != t["params"].end(); ++it) {
      params += (params.empty() ? "" : " ") + it.key() + "=" + api::ScalarText(it.value());
    }
    std::fprintf(stderr, "%s  [%s]\n", line.c_str(), params.c_str());
  }
  void Warning(const std::string& message) override { PrintWarning(message); }
};

std::string Leaderboard(const Json& s) {
  std::string out;
  out += "Sweep " + api::GetString(s, "id");
  if (s.contains("name")) out += " \"" + api::GetString(s, "name") + "\"";
  out += "  " + api::GetString(s, "status") + "\n";
  const Json& obj = s.value("objective", Json::object());
  out += "  strategy  " + api::GetString(s, "strategy") + " (seed " + api::GetString(s, "seed") + ")\n";
  out += "  objective " + api::GetString(obj, "goal") + " " + api::GetString(obj, "summary") + "(" +
         api::GetString(obj, "metric") + ")\n";
  const Json& trials = s.value("trials", Json::array());
  out += "  trials    " + std::to_string(trials.size()) + " of " +
         api::GetString(s.value("budget", Json::object()), "trials") + "\n";
  if (s.contains("stopped_reason")) out += "  stopped   " + api::GetString(s, "stopped_reason") + "\n";
  if (s.contains("best")) {
    const Json& b = s["best"];
    out += "\nBest: " + api::GetString(b, "id") + "  " + api::GetString(obj, "metric") + " " + Cell(b["value"]) + "\n";
    for (auto it = b["params"].begin(); it != b["params"].end(); ++it) {
      out += "  " + it.key() + " = " + api::ScalarText(it.value()) + "\n";
    }
  }
  // Ranked: best first, trials without a value last, in run order.
  std::vector<const Json*> order;
  for (const auto& t : trials) order.push_back(&t);
  bool minimize = api::GetString(obj, "goal") != "maximize";
  std::stable_sort(order.begin(), order.end(), [&](const Json* a, const Json* b) {
    bool ha = a->contains("value") && (*a)["value"].is_number() && api::GetString(*a, "status") != "failed";
    bool hb = b->contains("value") && (*b)["value"].is_number() && api::GetString(*b, "status") != "failed";
    if (ha != hb) return ha;
    if (!ha) return false;
    double va = (*a)["value"].get<double>(), vb = (*b)["value"].get<double>();
    return minimize ? va < vb : va > vb;
  });
  std::vector<std::string> header = {"rank", "run", "status", api::GetString(obj, "metric")};
  std::vector<std::string> names;
  if (s.contains("hyperparameters")) {
    for (auto it = s["hyperparameters"].begin(); it != s["hyperparameters"].end(); ++it) names.push_back(it.key());
  }
  for (const auto& n : names) header.push_back(n);
  std::vector<Row> rows;
  int rank = 0;
  for (const Json* t : order) {
    Row row = {std::to_string(++rank), api::GetString(*t, "id"), api::GetString(*t, "status"),
               t->contains("value") ? Cell((*t)["value"]) : "-"};
    for (const auto& n : names)
      row.push_back(t->contains("params") && (*t)["params"].contains(n) ? Cell((*t)["params"][n]) : "");
    rows.push_back(row);
  }
  if (!rows.empty()) out += "\n" + RenderTable(header, rows);
  return out;
}

int Finish(const StatusOr<Json>& result, bool json) {
  if (!result.ok()) return Fail(result.status());
  if (json)
    PrintJson(*result);
  else
    std::fputs(Leaderboard(*result).c_str(), stdout);
  std::string status = api::GetString(*result, "status");
  return status == "finished"
             ? 0
             : (status == "stopped" && api::GetString(*result, "stopped_reason").rfind("interrupted", 0) == 0 ? 130
                                                                                                              : 1);
}

}  // namespace

std::function<int()> SetupSweep(CLI::App& sub) {
  auto args = std::make_shared<std::vector<std::string>>();
  auto check = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto format = std::make_shared<std::string>("text");
  sub.add_option("args", *args, "SPEC.yaml | show ID | resume ID | ls")->required();
  sub.add_flag("--check", *check, "validate the spec and print the plan; run nothing");
  sub.add_flag("-q,--quiet", *quiet, "do not pass the trials' output through");
  sub.add_option("--format", *format,
                 "text | json: the sweep record (ls: all of them; --check: the plan) as one JSON document; "
                 "implies --quiet")
      ->check(CLI::IsMember({"text", "json"}));
  sub.footer(
      "trail sweep SPEC.yaml runs a grid, random or Bayesian (Gaussian process) search; every trial is a\n"
      "run whose parent is the sweep. trail sweep show ID prints the leaderboard; trail sweep resume ID\n"
      "continues an interrupted sweep without re-running finished trials. See docs/sweeps.md.");
  return [args, check, quiet, format] {
    const std::string& verb = (*args)[0];
    const bool json = *format == "json";
    auto project = OpenProject();
    if (!project) return 1;
    api::SweepOptions options;
    options.trail_exe = SelfExe();
    options.quiet = *quiet || json;  // the trials' output would break the JSON document
    CliSweepObserver observer;
    if (verb == "ls") {
      auto sweeps = api::ListSweeps(*project);
      if (!sweeps.ok()) return Fail(sweeps.status());
      if (json) {
        PrintJson(Json(*sweeps));
        return 0;
      }
      std::vector<Row> rows;
      for (const auto& s : *sweeps) {
        rows.push_back({api::GetString(s, "id"), api::GetString(s, "name"), api::GetString(s, "status"),
                        api::GetString(s, "strategy"), std::to_string(s.value("trials", Json::array()).size()),
                        s.contains("best") ? Cell(s["best"]["value"]) : "",
                        s.contains("best") ? api::GetString(s["best"], "id") : "",
                        LocalTime(api::GetString(s, "started"))});
      }
      std::fputs(
          RenderTable({"sweep", "name", "status", "strategy", "trials", "best", "best run", "started"}, rows).c_str(),
          stdout);
      return 0;
    }
    if (verb == "show" || verb == "resume") {
      if (args->size() != 2) return Fail(InvalidArgument("usage: trail sweep " + verb + " ID"));
      if (verb == "show") {
        auto s = api::LoadSweep(*project, (*args)[1]);
        if (!s.ok()) return Fail(s.status());
        if (json)
          PrintJson(*s);
        else
          std::fputs(Leaderboard(*s).c_str(), stdout);
        return 0;
      }
      return Finish(api::ResumeSweep(*project, (*args)[1], options, observer), json);
    }
    if (args->size() != 1) return Fail(InvalidArgument("usage: trail sweep SPEC.yaml | show ID | resume ID | ls"));
    if (*check) {
      auto plan = api::CheckSweepSpec(verb);
      if (!plan.ok()) return Fail(plan.status());
      if (json) {
        PrintJson(Json{{"spec", verb},
                       {"strategy", plan->strategy},
                       {"trials", plan->trials},
                       {"parallel", plan->parallel},
                       {"dims", plan->dims}});
        return 0;
      }
      std::printf("%s: ok: %s search, %lld trials, %lld at once, over", verb.c_str(), plan->strategy.c_str(),
                  static_cast<long long>(plan->trials), static_cast<long long>(plan->parallel));
      for (const auto& d : plan->dims) std::printf(" %s", d.c_str());
      std::printf("\n");
      return 0;
    }
    return Finish(api::RunSweep(*project, verb, options, observer), json);
  };
}

}  // namespace trail::cli
