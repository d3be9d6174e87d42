#include "project/cluster_config.h"

#include <string>

namespace trail {
namespace {

StatusOr<ClusterLocks> LocksNamed(const std::string& value, const std::string& where) {
  if (value == "cluster-wide") return ClusterLocks::kClusterWide;
  if (value == "node-local") return ClusterLocks::kNodeLocal;
  return InvalidArgument(where + ": expected cluster-wide or node-local, not \"" + value + "\"");
}

}  // namespace

const char* ClusterLocksName(ClusterLocks locks) {
  return locks == ClusterLocks::kNodeLocal ? "node-local" : "cluster-wide";
}

StatusOr<ClusterLocks> ParseClusterLocks(const Json& config, const char* env_value) {
  if (env_value != nullptr && *env_value != '\0') return LocksNamed(env_value, kClusterLocksVariable);
  if (!config.is_object() || !config.contains("cluster") || config["cluster"].is_null())
    return ClusterLocks::kClusterWide;
  const Json& cluster = config["cluster"];
  const std::string where = ".trail/config.yaml: cluster";
  if (!cluster.is_object()) return InvalidArgument(where + ": expected a mapping");
  for (auto it = cluster.begin(); it != cluster.end(); ++it) {
    if (it.key() != "locks") return InvalidArgument(where + "." + it.key() + ": unknown key (expected locks)");
  }
  if (!cluster.contains("locks")) return ClusterLocks::kClusterWide;
  if (!cluster["locks"].is_string()) return InvalidArgument(where + ".locks: expected cluster-wide or node-local");
  return LocksNamed(cluster["locks"].get<std::string>(), where + ".locks");
}

}  // namespace trail
