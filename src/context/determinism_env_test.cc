#include "context/determinism_env.h"

#include <gtest/gtest.h>

namespace trail::context {
namespace {

TEST(DeterminismEnvTest, RecordsOnlyTheListedVariables) {
  std::map<std::string, std::string> env = {{"PATH", "/usr/bin"},
                                            {"HOME", "/root"},
                                            {"PYTHONHASHSEED", "5"},
                                            {"TRAIL_SEED", "5"},
                                            {"CUDA_VISIBLE_DEVICES", "0,1"},
                                            {"CUBLAS_WORKSPACE_CONFIG", ":4096:8"},
                                            {"OMP_NUM_THREADS", "4"},
                                            {"TRAIL_PARAM_LR", "0.1"},
                                            {"TRAIL_PARAM_", "x"},  // no param name
                                            {"TRAIL_METRICS", "/tmp/m"},
                                            {"AWS_SECRET_ACCESS_KEY", "hunter2"}};
  EXPECT_EQ(DeterminismVariables(env), (Json{{"CUBLAS_WORKSPACE_CONFIG", ":4096:8"},
                                             {"CUDA_VISIBLE_DEVICES", "0,1"},
                                             {"OMP_NUM_THREADS", "4"},
                                             {"PYTHONHASHSEED", "5"},
                                             {"TRAIL_PARAM_LR", "0.1"},
                                             {"TRAIL_SEED", "5"}}));
}

TEST(DeterminismEnvTest, SecretLookingParamsAreMasked) {
  std::map<std::string, std::string> env = {
      {"TRAIL_PARAM_DB_PASSWORD", "hunter2"}, {"TRAIL_PARAM_API_KEY", "k"}, {"TRAIL_PARAM_MAX_TOKENS", "512"}};
  EXPECT_EQ(
      DeterminismVariables(env),
      (Json{{"TRAIL_PARAM_API_KEY", "***"}, {"TRAIL_PARAM_DB_PASSWORD", "***"}, {"TRAIL_PARAM_MAX_TOKENS", "512"}}));
}

TEST(DeterminismEnvTest, EmptyWhenNoneIsSetAndValuesStayText) {
  EXPECT_EQ(DeterminismVariables({{"PATH", "/bin"}}), Json::object());
  Json v = DeterminismVariables({{"KERAS_BACKEND", std::string("jax\xff", 4)}});
  ASSERT_TRUE(v.contains("KERAS_BACKEND"));
  EXPECT_NE(v["KERAS_BACKEND"].get<std::string>(), std::string("jax\xff", 4));
  EXPECT_TRUE(IsDeterminismVariable("MKL_CBWR"));
  EXPECT_FALSE(IsDeterminismVariable("TRAIL_PARAM_"));
  EXPECT_FALSE(IsDeterminismVariable("pythonhashseed"));
}

}  // namespace
}  // namespace trail::context
