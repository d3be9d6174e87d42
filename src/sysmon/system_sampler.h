// SystemSampler: one sample of a run's system metrics at a time (docs/metrics.md, "System
// metrics"): its process tree's CPU, memory, threads and disk IO, its network namespace's
// traffic, the machine's CPU and memory, and the GPUs the run may use (through NVML).
//
// Cheap by design (the recorder samples every few seconds for the whole run, and the budget is
// under 1% of one core): one pass over <proc>/*/stat finds the tree, then one read per member
// for IO and one each for the network and the machine; no allocation that grows with the
// machine beyond the pid table. Everything it reads is fail-soft: a process that exits
// mid-sample, an unreadable io file (another user's process), a missing file or a malformed
// line just leaves that part out.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "context/nvml.h"
#include "sysmon/gpu_filter.h"
#include "sysmon/proc_stats.h"

namespace trail::sysmon {

struct SamplerOptions {
  int64_t root_pid = 0;             // the run's process: it and every descendant are the tree
  std::string proc_root = "/proc";  // tests point it at a fixture folder
  int64_t ticks_per_second = 100;   // sysconf(_SC_CLK_TCK)
  int64_t page_size = 4096;         // sysconf(_SC_PAGESIZE)
  EnvLookup env;                    // the run's environment (which GPUs: gpu_filter.h); null: none set
  context::NvmlOpener open_nvml;    // null: no GPU metrics
};

// One named value of a sample, in the order Sample() gives them.
using SampleValues = std::vector<std::pair<std::string, double>>;

class SystemSampler {
 public:
  // Takes the baseline the first sample's per-interval values (CPU, IO, network) count from,
  // and opens NVML when asked to (which may take a moment: construct it off the hot path).
  SystemSampler(SamplerOptions options, double now);
  ~SystemSampler();
  SystemSampler(const SystemSampler&) = delete;
  SystemSampler& operator=(const SystemSampler&) = delete;

  // The values since the last sample (or the baseline) at monotonic time `now` (seconds):
  //   system/cpu_percent          the tree's CPU over the interval, 100 = one core busy
  //   system/rss_bytes            the tree's resident memory (each process once, not its threads)
  //   system/threads              the tree's threads
  //   system/disk_read_bytes, system/disk_write_bytes   over the interval (only when readable)
  //   system/net_recv_bytes, system/net_sent_bytes      over the interval, all but `lo`
  //   system/machine_cpu_percent  the whole machine's CPU, 100 = every core busy
  //   system/machine_mem_used_bytes  MemTotal - MemAvailable
  //   system/gpu<i>/utilization_percent, memory_used_bytes, memory_total_bytes, power_watts,
  //   temperature_c               per GPU the run may use, i numbered as the run sees them
  // Empty when the root process is gone.
  SampleValues Sample(double now);

  // GPUs being sampled (after the filter); for tests and the benchmark.
  size_t gpu_count() const { return gpus_.size(); }

 private:
  struct Member {
    uint64_t cpu_ticks = 0;
    std::optional<IoBytes> io;
  };
  struct Tree {
    std::map<int64_t, Member> members;
    uint64_t rss_pages = 0;
    int64_t threads = 0;
    bool root_alive = false;
  };
  Tree ReadTree();
  bool ReadSmall(const std::string& path, size_t limit);
  void SampleGpus(SampleValues& out);

  SamplerOptions options_;
  std::string buffer_;  // the file being parsed; reused
  double last_time_ = 0;
  std::map<int64_t, Member> last_members_;
  std::optional<NetBytes> last_net_;
  std::optional<CpuTicks> last_machine_;
  std::unique_ptr<context::NvmlSession> nvml_;
  std::vector<unsigned> gpus_;  // NVML indices, in the run's order
};

}  // namespace trail::sysmon
