#include "sweep/spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace trail::sweep {
namespace {

using ::testing::ElementsAre;

Json Yaml(const std::string& text) {
  auto j = ParseYaml(text, "test");
  EXPECT_TRUE(j.ok()) << j.status().message();
  return *j;
}

const char* kGood = R"(
command: python train.py --lr {lr} --momentum {momentum} --layers {layers} --reg {reg}
objective: {metric: val_loss, summary: min, goal: minimize}
strategy: bayes
budget: {trials: 50, parallel: 2, time: 2h}
space:
  lr:       {start: 0.001, end: 3.0, scale: log}
  momentum: {start: 0.1, end: 0.9, step: 0.1}
  layers:   {start: 1, end: 100, step: 10, type: int}
  reg:      {choice: [l1, l2, dropout]}
early_stop: {metric: val_loss, patience: 10}
prune: {rule: median, after_steps: 5}
seed: 7
)";

std::string Error(const std::string& yaml) {
  auto s = ParseSpec(Yaml(yaml));
  return s.ok() ? "" : s.status().message();
}

std::string WithSpace(const std::string& space, const std::string& extra = "") {
  return "command: python t.py {x}\nobjective: loss\nspace: {x: " + space + "}\n" + extra;
}

TEST(SpecTest, TheIssueExampleParses) {
  auto s = ParseSpec(Yaml(kGood));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->strategy, "bayes");
  EXPECT_EQ(s->trials, 50);
  EXPECT_EQ(s->parallel, 2);
  EXPECT_DOUBLE_EQ(*s->time_limit_s, 7200);
  EXPECT_EQ(s->seed, 7u);
  EXPECT_EQ(s->objective.metric, "val_loss");
  EXPECT_EQ(s->early_stop->patience, 10);
  EXPECT_EQ(s->prune->after_steps, 5);
  EXPECT_EQ(s->prune->metric, "val_loss");
  EXPECT_EQ(s->command.size(), 10u);
  EXPECT_EQ(s->space.dims.size(), 4u);
}

TEST(SpecTest, GridTrialsAreTheGridSizeCappedByBudget) {
  auto s =
      ParseSpec(Yaml("command: [t, '{a}', '{b}']\nobjective: loss\nstrategy: grid\n"
                     "space: {a: {start: 1, end: 3, step: 1}, b: {choice: [x, y]}}\n"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->trials, 6);
  auto capped =
      ParseSpec(Yaml("command: [t, '{a}']\nobjective: loss\nstrategy: grid\nbudget: {trials: 2}\n"
                     "space: {a: {start: 1, end: 3, step: 1}}\n"));
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->trials, 2);
}

TEST(SpecTest, BadSpecsFailWithOneLineNamingTheProblem) {
  EXPECT_EQ(Error("command: python t.py {lr} {lr2}\nobjective: loss\nspace: {lr: {start: 0.1, end: 1}}\n"),
            "command: placeholder {lr2} has no entry in space");
  EXPECT_THAT(Error(WithSpace("{start: 1, end: 1}")), ::testing::StartsWith("space.x: "));
  EXPECT_THAT(Error(WithSpace("{start: 2, end: 1}")), ::testing::StartsWith("space.x: "));
  EXPECT_THAT(Error(WithSpace("{start: 0, end: 1, step: 5}")), ::testing::StartsWith("space.x: "));
  EXPECT_THAT(Error(WithSpace("{start: 0, end: 1, scale: log}")), ::testing::StartsWith("space.x: "));
  EXPECT_EQ(Error(WithSpace("{start: 0, end: 1}", "strategy: hyperband\n")),
            "strategy: unknown strategy 'hyperband' (expected grid, random or bayes)");
  EXPECT_EQ(Error(WithSpace("{start: 0, end: 1}", "strategy: grid\n")),
            "space.x: a grid needs a step (or a choice list) for every parameter");
  EXPECT_EQ(Error("command: t {x}\nspace: {x: {choice: [1, 2]}}\n"),
            "objective: required, e.g. {metric: val_loss, goal: minimize}");
  EXPECT_EQ(Error("objective: loss\nspace: {x: {choice: [1, 2]}}\n"), "command: required: the command each trial runs");
  EXPECT_EQ(Error("command: t\nobjective: loss\n"), "space: required: the parameters to search");
  EXPECT_EQ(Error(WithSpace("{choice: [1]}", "budget: {trials: 0}\n")), "budget.trials: expected a whole number >= 1");
  EXPECT_EQ(Error(WithSpace("{choice: [1]}", "budget: {time: soon}\n")),
            "budget.time: 'soon' is not a duration (e.g. 90s, 30m, 2h, 1h30m)");
  EXPECT_EQ(Error(WithSpace("{choice: [1]}", "budget: {trails: 3}\n")),
            "budget: unknown key 'trails' (expected parallel, time, trials)");
  EXPECT_EQ(Error(WithSpace("{choice: [1]}", "early_stop: {metric: val_loss}\n")),
            "early_stop.patience: required: steps without improvement before stopping");
  EXPECT_EQ(Error(WithSpace("{choice: [1]}", "prune: {rule: percentile}\n")), "prune.rule: expected median");
  EXPECT_EQ(Error("command: \"python 't.py {x}\"\nobjective: loss\nspace: {x: {choice: [1]}}\n"),
            "command: unterminated ' quote");
  EXPECT_EQ(Error("command: python t.py {x\nobjective: loss\nspace: {x: {choice: [1]}}\n"),
            "command: unclosed { in '{x' (write {{ for a brace)");
  EXPECT_EQ(
      Error(WithSpace("{choice: [1]}", "colour: blue\n")),
      "sweep spec: unknown key 'colour' (expected budget, command, early_stop, executor, name, objective, prune, seed, "
      "space, strategy)");
}

TEST(SpecTest, GoalIsValidated) {
  EXPECT_EQ(Error("command: t {x}\nobjective: {metric: loss, goal: lowest}\nspace: {x: {choice: [1]}}\n"),
            "objective.goal: expected minimize or maximize");
}

TEST(SpecTest, Executor) {
  const std::string base = "command: t {x}\nobjective: {metric: loss}\nspace: {x: {choice: [1]}}\n";
  EXPECT_EQ(Error(base + "executor: cloud\n"),
            "executor: expected local, slurm or {slurm: {partition, time, cpus, mem, gres, account, sbatch_args}}");
  EXPECT_EQ(Error(base + "executor: {slurm: {cpus: two}}\n"), "executor.slurm.cpus: expected a positive integer");
  EXPECT_EQ(Error(base + "executor: {slurm: {sbatch_args: [exclusive]}}\n"),
            "executor.slurm.sbatch_args: \"exclusive\" is not an option (--name=value)");
  auto local = ParseSpec(*ParseYaml(base + "executor: local\n", "s"));
  ASSERT_TRUE(local.ok());
  EXPECT_FALSE(local->slurm);
  auto slurm = ParseSpec(*ParseYaml(base + "executor: {slurm: {partition: gpu, gres: \"gpu:1\", cpus: 4}}\n", "s"));
  ASSERT_TRUE(slurm.ok()) << slurm.status().message();
  ASSERT_TRUE(slurm->slurm);
  EXPECT_EQ(slurm->slurm->partition, "gpu");
  EXPECT_EQ(slurm->slurm->cpus, 4);
}

TEST(SpecTest, Durations) {
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("90s"), 90);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("1h30m"), 5400);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("2h"), 7200);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("45"), 45);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("0.5m"), 30);
  EXPECT_FALSE(ParseDurationSeconds("").ok());
  EXPECT_FALSE(ParseDurationSeconds("h").ok());
  EXPECT_FALSE(ParseDurationSeconds("5x").ok());
  EXPECT_FALSE(ParseDurationSeconds("-5").ok());
}

TEST(SpecTest, CommandLinesSplitLikeAShell) {
  EXPECT_THAT(*SplitCommandLine("python  t.py --name 'a b' --x \"c \\\"d\\\"\" e\\ f"),
              ElementsAre("python", "t.py", "--name", "a b", "--x", "c \"d\"", "e f"));
  EXPECT_FALSE(SplitCommandLine("python 'open").ok());
}

TEST(SpecTest, SubstituteUsesTypedValuesAndLiteralBraces) {
  Json point = Json{{"lr", 0.001}, {"layers", 11}, {"reg", "l2"}};
  EXPECT_THAT(Substitute({"--lr={lr}", "{layers}", "{reg}", "{{literal}}"}, point),
              ElementsAre("--lr=0.001", "11", "l2", "{literal}"));
  EXPECT_THAT(*Placeholders("a{x}b{{c}}{y}"), ElementsAre("x", "y"));
  // Found by fuzz/sweep_spec_fuzzer: an unclosed brace used to loop forever.
  EXPECT_THAT(Substitute({"a{x"}, point), ElementsAre("a{x"));
}

}  // namespace
}  // namespace trail::sweep
