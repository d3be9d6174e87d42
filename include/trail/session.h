// A run recorded from inside the training process: the Python client's start_run / active_run.
// It makes the same record `trail run` does.
//
// Two ways to get one:
//  - Start(): this process is the run. It allocates the id, snapshots the code and captures the
//    context as `trail run` does, and finalizes the run on End() (if the process dies, the next
//    trail command records it as crashed, with every metric flushed so far).
//  - Join(): the process runs under `trail run` (TRAIL_RUN_ID and TRAIL_METRICS are set); what
//    is logged goes to that run's live files and `trail run` finalizes it.
//
// Logging is buffered and written by Flush(), which a background thread calls every second
// (fsync), so a process killed with SIGKILL loses at most the last second of metrics. Every
// method is thread-safe. Values of the wrong kind are refused at the call (InvalidArgument),
// never at commit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trail/json.h"
#include "trail/recording.h"
#include "trail/status.h"

namespace trail {
class RunSession;  // the library's engine behind Session
}  // namespace trail

namespace trail::api {

struct SessionOptions {
  std::string name;
  Json params = Json::object();   // name -> scalar (int, float, bool, string)
  Json tags = Json::object();     // name -> string
  std::vector<std::string> argv;  // the command this process is (python's sys.argv, interpreter first)
  std::string cwd;                // empty: the current directory
  // Continue run `resume` (id, number or uid) as `trail run --resume` does: same id, metrics
  // appended, one more attempt. `force`: reopen a finished run too.
  std::string resume;
  bool force = false;
  // The run this one is nested in (MLflow's start_run(nested=True)), recorded as `parent`.
  std::string parent;
};

class Session {
 public:
  // Starts a new run in the project that contains `opts.cwd`.
  static StatusOr<std::unique_ptr<Session>> Start(const SessionOptions& opts);
  // Joins the run of the `trail run` this process runs under; NotFound when there is none.
  static StatusOr<std::unique_ptr<Session>> Join();
  ~Session();  // ends the run as finished if End() was not called
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& id() const;
  bool joined() const;  // true: under `trail run`, which finalizes the run
  // A resumed run (started with `resume`, or joined under `trail run --resume`): the last step
  // recorded before this attempt, -1 when none was; empty for a run that was not resumed.
  std::optional<int64_t> resume_step() const;

  // `step` absent: the metric's own count (0, 1, 2, ...). Keys: non-empty, valid UTF-8, at most
  // 250 bytes. Values: any double (NaN kept). `time` (Unix seconds, finite, >= 0; MLflow's
  // timestamp) is the point's wall time; absent: now.
  Status LogMetric(std::string_view key, double value, std::optional<int64_t> step,
                   std::optional<double> time = std::nullopt);
  // The hot path: a key checked once by LogMetric gets an id; points by id skip the check.
  size_t InternKey(std::string_view key);
  void LogMetricById(size_t key_id, double value, std::optional<int64_t> step);

  Status LogParams(const Json& params);    // object of scalars
  Status SetTags(const Json& tags);        // object of strings (other scalars become text)
  Status DeleteTag(std::string_view key);  // the run's record ends without tag `key` (no-op if absent)
  // A Table 1 entry the source scan cannot see: category is "regression loss",
  // "classification loss", "neural network loss", "optimizer", "activation" or "regularization".
  Status LogFunction(std::string_view category, std::string_view name);
  // Records `seed: N` (the Python client's trail.seed(n); the last call wins). N is
  // 0..4294967295, PYTHONHASHSEED's range; anything else is InvalidArgument.
  Status SetSeed(int64_t seed);
  // Stores a file the run produced in the object store now and records it; `role` empty: guessed
  // from the name (GuessArtifactRole). `name` (MLflow's artifact_path/file): the relative path it
  // is recorded and restored under; empty: its path relative to the project root.
  Status LogArtifact(const std::string& path, std::string_view role, std::string_view name = {});
  // Records a data input as `trail run --data ROLE=SOURCE` does; `source` is a path or a URL,
  // `label` (optional) is recorded as its source instead.
  Status LogData(const std::string& role, const std::string& source, const DataOptions& options,
                 const std::string& label = "");

  // Writes what is buffered and fsyncs it.
  Status Flush();
  // Finalizes the run (Start) or flushes (Join). status: "finished", "failed" or "killed".
  // Idempotent. The final record of a started run; an empty object for a joined one.
  StatusOr<Json> End(std::string_view status = "finished");
  // After fork(), in the child: the parent's run must be neither flushed nor finalized from here.
  void AbandonInChild();

 private:
  explicit Session(std::unique_ptr<trail::RunSession> run);
  std::unique_ptr<trail::RunSession> run_;
};

// The role a file's name suggests: checkpoint, meta_graph, saved_model, keras, h5, torch, onnx,
// safetensors, joblib, pickle, or other.
std::string GuessArtifactRole(std::string_view path);

}  // namespace trail::api
