// SystemMetricsCapture: the run's system metrics (sysmon/system_sampler.h) sampled every few
// seconds while it runs, appended to the live folder's system_metrics.jsonl as metrics protocol
// lines ({"step": 3, "time": 1764..., "system/cpu_percent": 98.5, ...}: step is the sample's
// index from 0, or on from a resumed run's earlier samples; time the wall clock when it was
// taken). Each line is flushed to disk as it is
// written, so a recorder killed with -9 loses no sample it took; finalizing (and crash recovery)
// reads the file into `system/...` series, below every other source of the same name.
//
// The thread of its own starts NVML (which can take a moment) and takes the baseline, then
// sleeps between samples; the first sample is one interval after the start, so a run shorter
// than the interval has no system series.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace trail {

class SystemMetricsCapture {
 public:
  // Samples the process tree of `pid` every `interval_s` seconds; `env` is the child's
  // environment (NAME=VALUE), which says which GPUs are the run's.
  SystemMetricsCapture(std::string path, pid_t pid, double interval_s, std::vector<std::string> env);
  ~SystemMetricsCapture();
  SystemMetricsCapture(const SystemMetricsCapture&) = delete;
  SystemMetricsCapture& operator=(const SystemMetricsCapture&) = delete;

  // Stops the thread at once (a sample under way is finished and written). Idempotent.
  void Stop();

 private:
  void Work(pid_t pid, double interval_s, std::vector<std::string> env);

  const std::string path_;
  int fd_ = -1;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace trail
