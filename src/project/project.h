// A trail project: a Git repository with .trail/config.yaml at its root.
//
// Project is the entry point of the library: it finds the repository, reads
// the committed configuration, owns the local state folder (.trail/, git-
// ignored) and hands out the runs index, brought up to date on first use.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/files.h"
#include "base/yaml.h"
#include "git/repo.h"
#include "index/run_index.h"
#include "project/cluster_config.h"
#include "trail/progress.h"
#include "trail/status.h"

namespace trail {

struct InitOptions {
  std::string name;         // default: the repository folder's name
  bool create_git = false;  // create the Git repository when there is none
};

struct InitResult {
  bool created = false;  // false: it was already initialized and nothing changed
  std::string name;
  std::string root;
  std::vector<std::string> to_add;  // files the user should commit
};

// A run as stored on the runs branch.
struct StoredRun {
  Json record;
  std::string path;  // "runs/000/fraud-58/run.yaml"
  std::string dir;   // "runs/000/fraud-58"
  std::string tip;   // the branch commit it was read from
};

class Project {
 public:
  static StatusOr<std::unique_ptr<Project>> Open(const std::string& dir);
  // The same, with the local state trail writes itself (the live runs, the run counter, the
  // writer lock, tracked data's caches) going through `env`, which must outlive the project:
  // tests pass a FaultInjectionEnv over the POSIX Env. The Git repository, the index and the
  // object store keep using the real disk, and so do readers of the live files (the metrics
  // tailer), so the Env must show them the real disk too.
  static StatusOr<std::unique_ptr<Project>> Open(const std::string& dir, Env* env);
  static StatusOr<InitResult> Init(const std::string& dir, const InitOptions& options);

  const std::string& name() const { return name_; }
  const std::string& root() const { return root_; }
  const std::string& branch() const { return branch_; }
  std::string runs_ref() const { return "refs/heads/" + branch_; }
  std::string state_dir() const { return JoinPath(root_, ".trail"); }
  std::string live_dir() const { return JoinPath(state_dir(), "live"); }
  // State every worktree of the repository must share: the writer lock and
  // the run-number counter live in <git common dir>/trail/.
  std::string shared_dir() const { return JoinPath(repo_->commondir(), "trail"); }
  // The object store, shared by every worktree (docs/formats/store.md, "Local layout").
  std::string store_dir() const { return JoinPath(shared_dir(), "store"); }
  const Json& config() const { return config_; }
  // Whether flock(2) locks hold between the nodes that share this project (project/cluster_config.h): the
  // config's `cluster.locks`, or TRAIL_CLUSTER_LOCKS, read once at Open.
  ClusterLocks cluster_locks() const { return cluster_locks_; }
  bool node_local_locks() const { return cluster_locks_ == ClusterLocks::kNodeLocal; }
  // Files, locks and the clock of this project's local state: Env::Default() unless opened
  // with another. Never null.
  Env& env() const { return *env_; }
  git::Repo& repo() { return *repo_; }
  git::Identity user() const;

  // The repository-wide writer lock: held while allocating run numbers and
  // while committing to the runs branch.
  StatusOr<FileLock> LockWriters();

  // The runs index, synced with the runs branch. Warnings about unreadable
  // records are appended to `warnings`.
  StatusOr<index::RunIndex*> Index();
  // Throws the index away and builds it again from the runs branch.
  StatusOr<index::RunIndex*> RebuildIndex(ProgressSink* progress = nullptr);

  // Reads a run from the branch: "fraud-58", "58" or a uid.
  StatusOr<StoredRun> LoadRun(const std::string& ref);
  // Rewrites one run's record on the branch with `mutate` applied, as one commit.
  Status UpdateRun(const std::string& ref, const std::function<Status(Json&)>& mutate, const std::string& message);
  // A metric series of a stored run as TSV: `ref` is the record's metrics.series value, a
  // file beside the record or {oid, size} in the object store.
  StatusOr<std::string> ReadSeries(const StoredRun& run, const Json& ref);
  // Commits files under the runs branch (paths relative to its root).
  StatusOr<std::string> Commit(const std::vector<git::FileWrite>& writes, const std::string& message);

 private:
  Project() = default;
  Env* env_ = Env::Default();
  std::unique_ptr<git::Repo> repo_;
  std::string root_, name_, branch_;
  Json config_;
  ClusterLocks cluster_locks_ = ClusterLocks::kClusterWide;
  std::unique_ptr<index::RunIndex> index_;
};

}  // namespace trail
