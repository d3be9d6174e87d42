#include "project/cluster_config.h"

#include <gtest/gtest.h>

namespace trail {
namespace {

StatusOr<ClusterLocks> ParseLocks(const std::string& yaml, const char* env = nullptr) {
  auto j = ParseYaml(yaml, "test");
  EXPECT_TRUE(j.ok());
  return ParseClusterLocks(*j, env);
}

TEST(ClusterConfigTest, DefaultIsClusterWide) {
  EXPECT_EQ(*ParseLocks("name: p\n"), ClusterLocks::kClusterWide);
  EXPECT_EQ(*ParseLocks("cluster: {}\n"), ClusterLocks::kClusterWide);
  EXPECT_EQ(*ParseLocks("cluster:\n"), ClusterLocks::kClusterWide);
  EXPECT_EQ(*ParseLocks("name: p\n", ""), ClusterLocks::kClusterWide);  // an empty variable is unset
}

TEST(ClusterConfigTest, NodeLocalFromTheFileOrTheEnvironment) {
  EXPECT_EQ(*ParseLocks("cluster: {locks: node-local}\n"), ClusterLocks::kNodeLocal);
  EXPECT_EQ(*ParseLocks("cluster: {locks: cluster-wide}\n"), ClusterLocks::kClusterWide);
  EXPECT_EQ(*ParseLocks("name: p\n", "node-local"), ClusterLocks::kNodeLocal);
  // The variable wins over the file, either way.
  EXPECT_EQ(*ParseLocks("cluster: {locks: node-local}\n", "cluster-wide"), ClusterLocks::kClusterWide);
  EXPECT_STREQ(ClusterLocksName(ClusterLocks::kNodeLocal), "node-local");
}

TEST(ClusterConfigTest, BadValuesNameTheKeyOrVariable) {
  EXPECT_EQ(ParseLocks("cluster: {locks: nolock}\n").status().message(),
            ".trail/config.yaml: cluster.locks: expected cluster-wide or node-local, not \"nolock\"");
  EXPECT_EQ(ParseLocks("cluster: {lock: node-local}\n").status().message(),
            ".trail/config.yaml: cluster.lock: unknown key (expected locks)");
  EXPECT_EQ(ParseLocks("cluster: node-local\n").status().message(), ".trail/config.yaml: cluster: expected a mapping");
  EXPECT_EQ(ParseLocks("cluster: {locks: [a]}\n").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseLocks("name: p\n", "local").status().message(),
            "TRAIL_CLUSTER_LOCKS: expected cluster-wide or node-local, not \"local\"");
}

}  // namespace
}  // namespace trail
