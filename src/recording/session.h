// RunSession: a run recorded from inside the training process (the Python
// client's start_run / active_run), the same record `trail run` makes.
//
// Two ways to get one:
//  - Start(): this process is the run. It allocates the id, takes the code
//    snapshot and captures the whole context exactly as `trail run` does,
//    holds the run's live lock, and finalizes the run on End() (or, if the
//    process dies, the next trail command records it as crashed with every
//    metric flushed so far).
//  - Join(): the process runs under `trail run` (TRAIL_RUN_ID and
//    TRAIL_METRICS are set). Metrics go to the TRAIL_METRICS file and params,
//    tags, functions and artifacts to the live folder's annotations file;
//    `trail run` finalizes the run when the process exits.
//
// Logging is buffered in memory and written by Flush(), which a background
// thread calls every second (durable: fsync), so a process killed with
// SIGKILL loses at most the last second of metrics. Every method is
// thread-safe. Values of the wrong kind are refused at the call
// (InvalidArgument), never at commit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/yaml.h"
#include "recording/run_data.h"
#include "trail/status.h"

namespace trail {

class Project;

struct SessionOptions {
  std::string name;
  Json params = Json::object();   // name -> scalar (int, float, bool, string)
  Json tags = Json::object();     // name -> string
  std::vector<std::string> argv;  // the command this process is (e.g. python's sys.argv with the interpreter first)
  std::string cwd;                // empty: the current directory
  // Continue this run (id, number or uid) instead of starting one, as `trail run --resume`;
  // `force`: even a finished one.
  std::string resume;
  bool force = false;
  std::string parent;  // the run this one is nested in, recorded as `parent`
};

class RunSession {
 public:
  // Starts a new run in the project that contains `opts.cwd`.
  static StatusOr<std::unique_ptr<RunSession>> Start(const SessionOptions& opts);
  // Joins the run of the `trail run` this process runs under; NotFound when
  // there is none (TRAIL_RUN_ID / TRAIL_METRICS not set).
  static StatusOr<std::unique_ptr<RunSession>> Join();

  ~RunSession();  // Ends the run as finished if End() was not called.

  const std::string& id() const;
  bool joined() const;  // true: under `trail run`, which finalizes the run
  // A resumed run: the last step recorded before this attempt (-1: none); empty otherwise.
  // Joined runs read TRAIL_RESUME_STEP, which `trail run --resume` sets.
  std::optional<int64_t> resume_step() const;

  // Metrics. `step` absent: the metric's own count (0, 1, 2, ...). Keys:
  // non-empty, valid UTF-8, at most 250 bytes. Values: any double (NaN kept). `time`: the
  // point's wall time in Unix seconds (finite, >= 0), absent: now.
  Status LogMetric(std::string_view key, double value, std::optional<int64_t> step,
                   std::optional<double> time = std::nullopt);
  // The fast path for the binding: no key check beyond the first use of a key id.
  size_t InternKey(std::string_view key);
  void LogMetricById(size_t key_id, double value, std::optional<int64_t> step);

  Status LogParams(const Json& params);  // object of scalars
  Status SetTags(const Json& tags);      // object of strings (other scalars are converted)
  // Removes tag `key` from the record (an annotation `tags: {key: null}`, applied at finalize).
  Status DeleteTag(std::string_view key);
  // A Table 1 entry the scanner cannot see: category is one of "regression loss",
  // "classification loss", "neural network loss", "optimizer", "activation", "regularization".
  Status LogFunction(std::string_view category, std::string_view name);
  // Records `seed: N` on the run (trail.seed(n)); the last call wins. N is 0..4294967295
  // (PYTHONHASHSEED's range), else InvalidArgument.
  Status SetSeed(int64_t seed);
  // Stores a file the run produced in the object store now and records its path (relative to
  // the project root when inside it), size, oid and role (guessed from the name when empty).
  // `name` non-empty: the safe relative path to record instead (MLflow's artifact_path/file).
  Status LogArtifact(const std::string& path, std::string_view role, std::string_view name = {});
  // Records a data input as `trail run --data ROLE=SOURCE` does (hash, size, instances, a
  // snapshot in the store). `source` is a path (relative to the cwd) or a URL.
  Status LogData(const std::string& role, const std::string& source, const DataOptions& options,
                 const std::string& label = "");

  // Writes what is buffered to the live files and fsyncs them.
  Status Flush();

 private:
  StatusOr<Project*> StoreProject();

 public:
  // Finalizes the run (Start) or flushes (Join). status: "finished", "failed"
  // or "killed". Idempotent. Returns the final record for a started run, an
  // empty object for a joined one.
  StatusOr<Json> End(std::string_view status = "finished");

  // For fork(): the child must not flush or finalize the parent's run.
  void AbandonInChild();

  class Impl;

 private:
  explicit RunSession(std::unique_ptr<Impl> impl);
  // A rank other than 0 of a multi-process job: attached to rank 0's run (rank_group.h).
  static StatusOr<std::unique_ptr<RunSession>> AttachToRank0(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The role a file's name suggests: checkpoint, meta_graph, saved_model, keras, h5, torch,
// onnx, safetensors, joblib, pickle, or other.
std::string GuessArtifactRole(std::string_view path);

}  // namespace trail
