#include "reproduce/reproduction.h"

#include <gtest/gtest.h>

namespace trail::reproduce {
namespace {

Json Record() {
  return Json{{"id", "p-3"},
              {"command", {"/usr/bin/python3", "train.py", "--lr", "0.1"}},
              {"cwd", "src"},
              {"params", {{"lr", 0.1}, {"api_key", "***"}}},
              {"seed", 42},
              {"environment", {{"variables", {{"CUBLAS_WORKSPACE_CONFIG", ":4096:8"}}}}},
              {"data", Json::array({{{"role", "train"}, {"source", "data/t.csv"}, {"oid", "sha256:aa"}},
                                    {{"role", "val"}, {"source", "s3://bucket/v.csv"}}})},
              {"artifacts", Json::array({{{"path", "models/m.npz"}}})}};
}

TEST(PlanReproduction, ReadsEverythingARunNeeds) {
  auto plan = PlanReproduction(Record());
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->id, "p-3");
  EXPECT_EQ(plan->argv, (std::vector<std::string>{"/usr/bin/python3", "train.py", "--lr", "0.1"}));
  EXPECT_EQ(plan->cwd, "src");
  EXPECT_EQ(plan->params, (Json{{"lr", 0.1}}));  // the masked value was never stored
  EXPECT_EQ(plan->env,
            (std::vector<std::string>{"CUBLAS_WORKSPACE_CONFIG=:4096:8", "TRAIL_SEED=42", "PYTHONHASHSEED=42"}));
  ASSERT_EQ(plan->data.size(), 2u);
  EXPECT_EQ(plan->data[1].second, "s3://bucket/v.csv");
  EXPECT_EQ(plan->artifacts, (std::vector<std::string>{"models/m.npz"}));

  RunRequest req = ReproductionRequest(*plan, "/wt");
  EXPECT_EQ(req.cwd, "/wt/src");
  EXPECT_EQ(req.reproduces, "p-3");
  EXPECT_EQ(req.artifacts, (std::vector<std::string>{"/wt/models/m.npz"}));
  ASSERT_EQ(req.data.size(), 1u);  // data/t.csv is not in /wt: left out; the URL stays
  EXPECT_EQ(req.data[0].source, "s3://bucket/v.csv");
  EXPECT_EQ(req.extra_params, (Json{{"lr", 0.1}}));
}

TEST(PlanReproduction, CommandLineIsQuotedAndRelativeToTheCwd) {
  Json rec = Record();
  rec["command"] = {"python3", "train.py", "--name", "it's"};
  auto plan = PlanReproduction(rec);
  ASSERT_TRUE(plan.ok());
  std::string line = ReproductionCommandLine(*plan, "/w t");
  EXPECT_EQ(line,
            "cd '/w t/src' && env CUBLAS_WORKSPACE_CONFIG=:4096:8 TRAIL_SEED=42 PYTHONHASHSEED=42 trail run "
            "--reproduces p-3 -p lr=0.1 --data val=s3://bucket/v.csv --artifact ../models/m.npz -- python3 train.py "
            "--name 'it'\\''s'");
}

TEST(PlanReproduction, RefusesMaskedSecretsNamingTheOption) {
  Json rec = Record();
  rec["command"] = {"python3", "train.py", "--password", "***"};
  auto plan = PlanReproduction(rec);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), Code::kInvalidArgument);
  EXPECT_NE(plan.status().message().find("--password"), std::string::npos);
  rec["command"] = {"python3", "train.py", "--token=***"};
  plan = PlanReproduction(rec);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("--token"), std::string::npos);
}

TEST(PlanReproduction, RefusesUnsafeRecords) {
  auto refused = [](const char* key, Json value) {
    Json rec = Record();
    rec[key] = std::move(value);
    auto plan = PlanReproduction(rec);
    return !plan.ok() && plan.status().code() == Code::kCorrupt;
  };
  EXPECT_TRUE(refused("cwd", "../x"));
  EXPECT_TRUE(refused("cwd", "/abs"));
  EXPECT_TRUE(refused("cwd", ".git/hooks"));
  EXPECT_TRUE(refused("command", Json::array()));
  EXPECT_TRUE(refused("command", Json::array({1, 2})));
  EXPECT_TRUE(refused("data", Json::array({{{"role", "train"}, {"source", "../../etc/x"}}})));
  EXPECT_TRUE(refused("data", Json::array({{{"role", "train"}, {"source", "/etc/../x"}}})));
  // Data outside the project is recorded by its absolute path: read there again, never written.
  EXPECT_FALSE(refused("data", Json::array({{{"role", "train"}, {"source", "/srv/data/train.csv"}}})));
  EXPECT_TRUE(refused("data", Json::array({{{"role", "a=b"}, {"source", "x"}}})));
  EXPECT_TRUE(refused("artifacts", Json::array({{{"path", "../m"}}})));
  EXPECT_TRUE(refused("artifacts", Json::array({{{"path", ".trail/config.yaml"}}})));
  EXPECT_TRUE(refused("environment", {{"variables", {{"BAD NAME", "x"}}}}));
  EXPECT_TRUE(refused("environment", {{"variables", Json::array()}}));
  EXPECT_TRUE(refused("seed", "42"));
}

TEST(PlanReproduction, AppliesOnlyTheDeterminismVariables) {
  Json rec = Json::parse(R"({"id": "p-1", "command": ["python", "t.py"], "cwd": ".",
    "code": {"snapshot": "0123456789012345678901234567890123456789"},
    "environment": {"variables": {"PYTHONHASHSEED": "3", "LD_PRELOAD": "/tmp/evil.so", "PATH": "/tmp",
                                  "TRAIL_PARAM_API_KEY": "***"}}})");
  auto plan = PlanReproduction(rec);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->env, std::vector<std::string>{"PYTHONHASHSEED=3"});
}

}  // namespace
}  // namespace trail::reproduce
