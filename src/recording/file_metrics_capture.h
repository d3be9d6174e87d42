// FileMetricsCapture: the metrics a live run writes to TensorBoard event files and Keras CSV logs,
// followed while it runs (core/file_metrics.h) and appended to the live folder's
// file_metrics.jsonl as metrics protocol lines, so that `trail sweep` can stop a trial on them as
// it does on TRAIL_METRICS and output metrics.
//
// A thread of its own looks at the files about once a second: a folder walk never holds back the
// relay of the child's output. The file is for watching the run only; finalizing reads the files
// once more in full (ReadFileMetrics), which also serves crash recovery.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "project/metrics_config.h"
#include "recording/file_metrics.h"

namespace trail {

class FileMetricsCapture {
 public:
  // Starts following at once; does nothing when the config reads no files.
  FileMetricsCapture(std::string path, const MetricsConfig& config, std::string run_cwd, double started);
  ~FileMetricsCapture();
  FileMetricsCapture(const FileMetricsCapture&) = delete;
  FileMetricsCapture& operator=(const FileMetricsCapture&) = delete;

  // Stops the thread (at once; the record reads the files itself). Idempotent.
  void Stop();

 private:
  void Work();
  void ReadOnce();

  const std::string path_;
  FileMetricsReader reader_;  // only the worker touches it
  int fd_ = -1;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace trail
