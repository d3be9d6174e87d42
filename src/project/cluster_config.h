// The `cluster:` section of .trail/config.yaml (docs/cluster.md): whether flock(2) locks on the
// project's file system hold between nodes.
//
//   cluster:
//     locks: cluster-wide     # the default: NFS with lockd or v4, Lustre -o flock, GPFS
//     locks: node-local       # NFS nolock / local_lock=flock, Lustre -o localflock
//
// TRAIL_CLUSTER_LOCKS (same values) overrides the file for one process; the Slurm driver passes
// the submitting process's mode into every job it submits.
#pragma once

#include "base/yaml.h"
#include "trail/status.h"

namespace trail {

inline constexpr const char* kClusterLocksVariable = "TRAIL_CLUSTER_LOCKS";

enum class ClusterLocks {
  kClusterWide,  // a lock taken on one node excludes every other node
  kNodeLocal,    // a lock excludes only the processes of one node
};

// The mode from `config` (the whole .trail/config.yaml) and `env_value` (TRAIL_CLUSTER_LOCKS,
// null when unset; it wins). InvalidArgument naming the key or the variable for any other value.
StatusOr<ClusterLocks> ParseClusterLocks(const Json& config, const char* env_value);

const char* ClusterLocksName(ClusterLocks locks);

}  // namespace trail
