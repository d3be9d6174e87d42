#include "sysmon/system_sampler.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <unordered_map>

namespace trail::sysmon {
namespace {

// /proc/<pid>/stat is one line of ~300 bytes; /proc/stat's first line is all that is read of it
// (the per-CPU lines after it grow with the machine); meminfo and net/dev are a few KiB.
constexpr size_t kStatLimit = 4096;
constexpr size_t kFileLimit = 64 << 10;

// A /proc folder name that is a pid.
std::optional<int64_t> PidOf(const char* name) {
  int64_t pid = 0;
  if (*name == '\0') return std::nullopt;
  for (const char* c = name; *c; ++c) {
    if (*c < '0' || *c > '9' || pid > (int64_t{1} << 40)) return std::nullopt;
    pid = pid * 10 + (*c - '0');
  }
  return pid;
}

// Counters that went backwards (a pid reused by another process) count from zero.
uint64_t Delta(uint64_t now, uint64_t before) { return now >= before ? now - before : now; }

double Round(double x, double unit) { return std::round(x / unit) * unit; }

}  // namespace

SystemSampler::SystemSampler(SamplerOptions options, double now) : options_(std::move(options)), last_time_(now) {
  if (options_.ticks_per_second <= 0) options_.ticks_per_second = 100;
  if (options_.page_size <= 0) options_.page_size = 4096;
  last_members_ = ReadTree().members;
  if (ReadSmall(options_.proc_root + "/" + std::to_string(options_.root_pid) + "/net/dev", kFileLimit))
    last_net_ = ParseNetDev(buffer_);
  if (ReadSmall(options_.proc_root + "/stat", kStatLimit)) last_machine_ = ParseProcStatCpu(buffer_);
  if (options_.open_nvml) {
    std::string error;  // no NVML, or one that does not start: no GPU series, as without GPUs
    nvml_ = options_.open_nvml(&error);
    unsigned count = 0;
    if (nvml_ && nvml_->DeviceCount(&count) == 0) {
      std::vector<std::string> uuids;
      for (unsigned i = 0; i < count && i < 64; ++i) {
        std::string uuid;
        (void)nvml_->Uuid(i, &uuid);
        uuids.push_back(uuid);
      }
      const EnvLookup none = [](const std::string&) { return std::optional<std::string>(); };
      for (size_t i : RunGpus(options_.env ? options_.env : none, uuids)) gpus_.push_back(static_cast<unsigned>(i));
    }
    if (gpus_.empty()) nvml_.reset();
  }
}

SystemSampler::~SystemSampler() = default;

bool SystemSampler::ReadSmall(const std::string& path, size_t limit) {
  buffer_.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  buffer_.resize(limit);
  size_t got = 0;
  while (got < limit) {
    ssize_t n = ::read(fd, buffer_.data() + got, limit - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  buffer_.resize(got);
  return got > 0;
}

SystemSampler::Tree SystemSampler::ReadTree() {
  // One pass over every process for its parent; the tree is the root and whoever descends from it.
  struct Proc {
    int64_t pid;
    int64_t ppid;
    ProcStat stat;
  };
  std::vector<Proc> procs;
  if (DIR* dir = ::opendir(options_.proc_root.c_str())) {
    while (dirent* e = ::readdir(dir)) {
      auto pid = PidOf(e->d_name);
      if (!pid) continue;
      if (!ReadSmall(options_.proc_root + "/" + e->d_name + "/stat", kStatLimit)) continue;
      if (auto st = ParseProcStat(buffer_)) procs.push_back({*pid, st->ppid, *st});
    }
    ::closedir(dir);
  }
  Tree tree;
  std::unordered_multimap<int64_t, size_t> children;  // ppid -> position in procs
  std::optional<size_t> root;
  for (size_t i = 0; i < procs.size(); ++i) {
    children.emplace(procs[i].ppid, i);
    if (procs[i].pid == options_.root_pid) root = i;
  }
  if (!root) return tree;
  tree.root_alive = true;
  // Each process is taken once, whatever a (fixture's) parent links say.
  std::vector<bool> taken(procs.size(), false);
  std::vector<size_t> todo = {*root};
  taken[*root] = true;
  while (!todo.empty()) {
    const Proc& p = procs[todo.back()];
    todo.pop_back();
    Member m;
    m.cpu_ticks = p.stat.cpu_ticks;
    if (ReadSmall(options_.proc_root + "/" + std::to_string(p.pid) + "/io", kFileLimit)) m.io = ParseProcIo(buffer_);
    tree.members[p.pid] = m;
    tree.rss_pages += p.stat.rss_pages;
    tree.threads += p.stat.threads;
    auto [from, to] = children.equal_range(p.pid);
    for (auto it = from; it != to; ++it) {
      if (taken[it->second]) continue;
      taken[it->second] = true;
      todo.push_back(it->second);
    }
  }
  return tree;
}

SampleValues SystemSampler::Sample(double now) {
  SampleValues out;
  Tree tree = ReadTree();
  if (!tree.root_alive) return out;
  const double interval = now - last_time_;
  last_time_ = now;

  uint64_t ticks = 0, read = 0, written = 0;
  bool io_readable = false;
  for (const auto& [pid, m] : tree.members) {
    auto before = last_members_.find(pid);
    const bool known = before != last_members_.end();
    ticks += Delta(m.cpu_ticks, known ? before->second.cpu_ticks : 0);
    if (!m.io) continue;
    io_readable = true;
    const bool io_known = known && before->second.io;
    read += Delta(m.io->read, io_known ? before->second.io->read : 0);
    written += Delta(m.io->written, io_known ? before->second.io->written : 0);
  }
  last_members_ = std::move(tree.members);
  if (interval > 0) {
    double percent = 100.0 * static_cast<double>(ticks) / static_cast<double>(options_.ticks_per_second) / interval;
    out.emplace_back("system/cpu_percent", Round(percent, 0.1));
  }
  out.emplace_back("system/rss_bytes", static_cast<double>(tree.rss_pages) * static_cast<double>(options_.page_size));
  out.emplace_back("system/threads", static_cast<double>(tree.threads));
  if (io_readable) {
    out.emplace_back("system/disk_read_bytes", static_cast<double>(read));
    out.emplace_back("system/disk_write_bytes", static_cast<double>(written));
  }
  std::optional<NetBytes> net;
  if (ReadSmall(options_.proc_root + "/" + std::to_string(options_.root_pid) + "/net/dev", kFileLimit))
    net = ParseNetDev(buffer_);
  if (net && last_net_) {
    out.emplace_back("system/net_recv_bytes", static_cast<double>(Delta(net->received, last_net_->received)));
    out.emplace_back("system/net_sent_bytes", static_cast<double>(Delta(net->sent, last_net_->sent)));
  }
  if (net) last_net_ = net;
  std::optional<CpuTicks> machine;
  if (ReadSmall(options_.proc_root + "/stat", kStatLimit)) machine = ParseProcStatCpu(buffer_);
  if (machine && last_machine_ && machine->total > last_machine_->total) {
    double busy = static_cast<double>(Delta(machine->busy, last_machine_->busy));
    double total = static_cast<double>(machine->total - last_machine_->total);
    out.emplace_back("system/machine_cpu_percent", Round(std::min(100.0, 100.0 * busy / total), 0.1));
  }
  if (machine) last_machine_ = machine;
  if (ReadSmall(options_.proc_root + "/meminfo", kFileLimit)) {
    if (auto used = ParseMemUsedBytes(buffer_)) out.emplace_back("system/machine_mem_used_bytes", double(*used));
  }
  SampleGpus(out);
  return out;
}

void SystemSampler::SampleGpus(SampleValues& out) {
  if (!nvml_) return;
  for (size_t i = 0; i < gpus_.size(); ++i) {
    const unsigned g = gpus_[i];
    const std::string prefix = "system/gpu" + std::to_string(i) + "/";
    unsigned percent = 0, milliwatts = 0, celsius = 0;
    uint64_t used = 0, total = 0;
    if (nvml_->Utilization(g, &percent) == 0) out.emplace_back(prefix + "utilization_percent", percent);
    if (nvml_->MemoryUsed(g, &used) == 0) out.emplace_back(prefix + "memory_used_bytes", static_cast<double>(used));
    if (nvml_->MemoryTotal(g, &total) == 0) out.emplace_back(prefix + "memory_total_bytes", static_cast<double>(total));
    if (nvml_->PowerMilliwatts(g, &milliwatts) == 0) out.emplace_back(prefix + "power_watts", milliwatts / 1000.0);
    if (nvml_->TemperatureC(g, &celsius) == 0) out.emplace_back(prefix + "temperature_c", celsius);
  }
}

}  // namespace trail::sysmon
