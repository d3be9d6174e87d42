// trail reproduce ID: recreate a run in a worktree of its code snapshot and say whether it came
// out the same. trail env ID: the environment a run recorded.
#include <cstdio>

#include "commands.h"
#include "table.h"
#include "trail/format.h"
#include "trail/reproduce.h"
#include "trail/runs.h"

namespace trail::cli {
namespace {

// Exit codes: 0 the same (identical or within tolerance), 1 different, 2 could not reproduce.
constexpr int kDifferent = 1;
constexpr int kError = 2;

int FailWith(const Status& s) {
  PrintError(s);
  return kError;
}

class ReproduceObserver : public api::RunObserver {
 public:
  explicit ReproduceObserver(std::FILE* to) : to_(to) {}
  void Started(const std::string& id) override { std::fprintf(to_, "trail: recording %s\n", id.c_str()); }
  void Warning(const std::string& message) override { PrintWarning(message); }
  void Error(const std::string& message) override { PrintError(message); }
  void Finished(const Json& rec) override {
    std::fprintf(to_, "trail: %s %s in %s\n", api::GetString(rec, "id").c_str(), api::GetString(rec, "status").c_str(),
                 api::FormatDuration(api::GetNumber(rec, "duration_s")).c_str());
  }

 private:
  std::FILE* to_;
};

void PrintEnvironmentDifferences(std::FILE* to, const std::vector<api::EnvironmentDifference>& diffs) {
  if (diffs.empty()) {
    std::fprintf(to, "environment: same as recorded\n");
    return;
  }
  std::vector<Row> rows;
  for (const auto& d : diffs) rows.push_back({d.item, d.recorded, d.now});
  std::fprintf(to, "environment: %zu difference%s\n%s", diffs.size(), diffs.size() == 1 ? "" : "s",
               RenderTable({"item", "recorded", "now"}, rows).c_str());
}

// An object id shortened for the table ("sha256:8a4bd991b4c4"); JSON keeps it whole.
std::string Short(const std::string& value) {
  return value.rfind("sha256:", 0) == 0 && value.size() > 19 ? value.substr(0, 19) : value;
}

Json EnvironmentJson(const std::vector<api::EnvironmentDifference>& diffs) {
  Json out = Json::array();
  for (const auto& d : diffs) out.push_back({{"item", d.item}, {"recorded", d.recorded}, {"now", d.now}});
  return out;
}

// `prepared` is null for --against (nothing was prepared).
int PrintVerdict(const api::RunComparison& c, const std::string& format,
                 const api::PreparedReproduction* prepared = nullptr) {
  if (format == "json") {
    Json out = api::ComparisonJson(c);
    if (prepared) {
      out["worktree"] = prepared->worktree;
      out["environment"] = EnvironmentJson(prepared->environment);
    }
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::vector<Row> rows;
    size_t different = 0;
    std::string names;
    for (const auto& i : c.items) {
      rows.push_back({i.kind, i.name, i.verdict, Short(i.recorded), Short(i.reproduced), i.note});
      if (i.verdict == "different") {
        ++different;
        if (names.size() < 200) names += (names.empty() ? "" : ", ") + i.name;
      }
    }
    std::printf("%s", RenderTable({"kind", "item", "verdict", c.recorded, c.reproduced, "note"}, rows).c_str());
    if (c.same)
      std::printf("verdict: %s reproduces %s (every item identical or within tolerance)\n", c.reproduced.c_str(),
                  c.recorded.c_str());
    else
      std::printf("verdict: different: %zu item%s of %s differ in %s: %s\n", different, different == 1 ? "" : "s",
                  c.recorded.c_str(), c.reproduced.c_str(), names.c_str());
  }
  return c.same ? 0 : kDifferent;
}

// The recorded environment as readable sections.
std::string EnvironmentText(const Json& rec) {
  const Json env = rec.value("environment", Json::object());
  std::string out = "environment of " + api::GetString(rec, "id") + "\n";
  auto line = [&out](const std::string& k, const Json& v) {
    if (!v.is_null()) out += "  " + k + ": " + (v.is_string() ? v.get<std::string>() : v.dump()) + "\n";
  };
  auto at = [](const Json& j, const char* k) { return j.is_object() && j.contains(k) ? j[k] : Json(); };
  out += "system\n";
  for (const char* k : {"os", "distribution", "kernel", "arch"}) line(k, at(env, k));
  Json cpu = at(env, "cpu");
  for (const char* k : {"model", "cores", "threads"}) line(std::string("cpu.") + k, at(cpu, k));
  if (!at(env, "memory_bytes").is_null()) line("memory_bytes", at(env, "memory_bytes"));
  Json proc = at(env, "processors");
  out += "processors\n";
  line("gpu_count", at(proc, "gpu_count").is_null() ? Json(0) : at(proc, "gpu_count"));
  if (at(proc, "gpus").is_array())
    for (const Json& g : at(proc, "gpus")) line("gpu", at(g, "model"));
  if (!at(env, "python").is_null()) {
    out += "python\n";
    for (const char* k : {"interpreter", "version"}) line(k, at(at(env, "python"), k));
  }
  for (const char* section : {"frameworks", "packages", "variables"}) {
    Json m = at(env, section);
    if (!m.is_object() || m.empty()) continue;
    out += std::string(section) + "\n";
    for (auto it = m.begin(); it != m.end(); ++it) line(it.key(), it.value());
  }
  if (!at(env, "trail").is_null()) out += "trail " + api::GetString(env, "trail") + "\n";
  return out;
}

}  // namespace

std::function<int()> SetupReproduce(CLI::App& sub) {
  auto opts = std::make_shared<api::ReproduceOptions>();
  auto tolerance = std::make_shared<api::Tolerance>();
  auto strict = std::make_shared<bool>(false);
  auto no_run = std::make_shared<bool>(false);
  auto format = std::make_shared<std::string>("text");
  auto against = std::make_shared<std::string>();
  sub.add_option("id", opts->run, "the run to reproduce: id, number or uid")->required();
  sub.add_option("--dir", opts->dir,
                 "the worktree for its code (must not exist or be empty); default <git dir>/trail/reproduce/ID");
  sub.add_flag("--allow-missing-data", opts->allow_missing_data,
               "go on when a data input has no stored copy or is a URL (it is named)");
  sub.add_flag("--strict", *strict, "refuse to run when the environment differs from the recorded one");
  sub.add_flag("--no-run", *no_run, "prepare the worktree, data and environment check; print the command to run");
  sub.add_option("--tolerance", tolerance->relative, "relative tolerance: |a-b| <= R*max(|a|,|b|) (default 0)")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--abs-tolerance", tolerance->absolute, "absolute tolerance: |a-b| <= A (default 0)")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--against", *against, "compare ID with this existing run instead of running anything");
  sub.add_option("--format", *format, "text | json (the verdict)")->check(CLI::IsMember({"text", "json"}));
  sub.footer(
      "Checks out the run's code snapshot in a separate worktree (your branch, index and files are\n"
      "never touched), restores its data inputs, compares the environment with the recorded one,\n"
      "records the command again there as a run with `reproduces: ID` and compares the two runs:\n"
      "metrics (last, min, max), derived metrics, artifacts (by content), data, status.\n"
      "Exit status: 0 identical or within tolerance, 1 different, 2 could not reproduce.\n"
      "See docs/reproduce.md.");
  return [opts, tolerance, strict, no_run, format, against]() -> int {
    auto project = OpenProject();
    if (!project) return kError;
    if (!against->empty()) {
      auto c = api::CompareRuns(*project, opts->run, *against, *tolerance);
      if (!c.ok()) return FailWith(c.status());
      return PrintVerdict(*c, *format);
    }
    // With --format json, stdout carries the verdict (after the program's own output).
    std::FILE* info = *format == "json" ? stderr : stdout;
    auto prepared = api::PrepareReproduction(*project, *opts);
    if (!prepared.ok()) return FailWith(prepared.status());
    for (const auto& w : prepared->warnings) PrintWarning(w);
    std::fprintf(info, "worktree: %s\n", prepared->worktree.c_str());
    for (const auto& d : prepared->data)
      std::fprintf(info, "data %s: %s %s\n", d.role.c_str(), d.path.c_str(), d.state.c_str());
    PrintEnvironmentDifferences(info, prepared->environment);
    if (*strict && !prepared->environment.empty()) {
      PrintError("--strict: the environment differs from the one " + prepared->id +
                 " recorded (listed above); nothing was run");
      return kError;
    }
    if (*no_run && *format == "json") {
      Json out = {{"id", prepared->id},
                  {"worktree", prepared->worktree},
                  {"cwd", prepared->cwd},
                  {"command", prepared->command},
                  {"env", prepared->env},
                  {"command_line", prepared->command_line},
                  {"environment", EnvironmentJson(prepared->environment)}};
      std::printf("%s\n", out.dump(2).c_str());
      return 0;
    }
    if (*no_run) {
      std::fprintf(info,
                   "to run it (recorded as reproducing %s):\n  %s\nthen compare: trail reproduce %s --against ID\n",
                   prepared->id.c_str(), prepared->command_line.c_str(), prepared->id.c_str());
      return 0;
    }
    std::fflush(info);
    ReproduceObserver observer(stderr);
    auto out = api::RunReproduction(*prepared, observer);
    if (!out.ok()) return FailWith(out.status());
    auto c = api::CompareRuns(*project, prepared->id, out->id, *tolerance);
    if (!c.ok()) return FailWith(c.status());
    return PrintVerdict(*c, *format, &*prepared);
  };
}

std::function<int()> SetupEnv(CLI::App& sub) {
  auto id = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  sub.add_option("id", *id, "the run: id, number or uid")->required();
  sub.add_option("--format", *format, "text | json | requirements (a pinned list for pip install -r)")
      ->check(CLI::IsMember({"text", "json", "requirements"}));
  sub.footer("Prints the environment run ID recorded. See docs/reproduce.md.");
  return [id, format]() -> int {
    auto project = OpenProject();
    if (!project) return 1;
    if (*format == "requirements") {
      auto text = api::RequirementsOf(*project, *id);
      if (!text.ok()) return Fail(text.status());
      std::printf("%s", text->c_str());
      return 0;
    }
    auto run = api::LoadRun(*project, *id);
    if (!run.ok()) return Fail(run.status());
    if (*format == "json")
      std::printf("%s\n", run->record.value("environment", Json::object()).dump(2).c_str());
    else
      std::printf("%s", EnvironmentText(run->record).c_str());
    return 0;
  };
}

}  // namespace trail::cli
