// The system sampler's cost (docs/system-metrics.md): CPU time (user + system, getrusage of the
// sampling thread, not wall time, so a loaded machine does not inflate it) per sample of a
// process tree of 50 processes, each sample also formatted as its protocol line, appended to a
// file and flushed with fdatasync as the recorder does. Prints that cost as a share of one core
// at the default 5 s interval (the target: under 1%).
//
//   build/system_sampler_bench [SAMPLES=200] [PROCESSES=50]
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "context/nvml.h"
#include "project/metrics_config.h"
#include "sysmon/system_sampler.h"

namespace {

double ThreadCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_THREAD, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double Monotonic() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A root process with processes - 1 sleeping children, in a process group of their own (so one
// kill ends them all); returns the root's pid.
pid_t StartTree(int processes) {
  pid_t root = ::fork();
  if (root != 0) {
    ::setpgid(root, root);
    return root;
  }
  ::setpgid(0, 0);
  for (int i = 1; i < processes; ++i) {
    if (::fork() == 0) {
      for (;;) ::pause();
    }
  }
  for (;;) ::pause();
}

}  // namespace

int main(int argc, char** argv) {
  const int samples = argc > 1 ? std::atoi(argv[1]) : 200;
  const int processes = argc > 2 ? std::atoi(argv[2]) : 50;
  pid_t root = StartTree(processes);
  ::usleep(300 * 1000);  // the children exist

  trail::sysmon::SamplerOptions options;
  options.root_pid = root;
  options.ticks_per_second = ::sysconf(_SC_CLK_TCK);
  options.page_size = ::sysconf(_SC_PAGESIZE);
  options.open_nvml = trail::context::OpenSystemNvml;
  trail::sysmon::SystemSampler sampler(options, Monotonic());
  std::string path = (std::filesystem::temp_directory_path() / ("system_sampler_bench." + std::to_string(::getpid())));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

  size_t values = 0, tree_threads = 0;
  const double cpu_start = ThreadCpuSeconds();
  for (int i = 0; i < samples; ++i) {
    auto sample = sampler.Sample(Monotonic());
    trail::Json line = trail::Json::object();
    line["step"] = i;
    line["time"] = 1.7e9 + i;
    for (const auto& [name, value] : sample) {
      line[name] = value;
      if (name == "system/threads") tree_threads = static_cast<size_t>(value);
    }
    std::string text = line.dump() + "\n";
    if (::write(fd, text.data(), text.size()) > 0) (void)::fdatasync(fd);
    values = sample.size();
  }
  const double cpu = ThreadCpuSeconds() - cpu_start;
  ::close(fd);
  std::filesystem::remove(path);
  ::kill(-root, SIGKILL);
  ::waitpid(root, nullptr, 0);

  size_t machine_processes = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    machine_processes += name.find_first_not_of("0123456789") == std::string::npos;
  }
  const double per_sample_ms = cpu / samples * 1e3;
  const double share = per_sample_ms / 1e3 / trail::kDefaultSystemInterval * 100.0;
  std::printf(
      "system sampler: %d samples of a tree of %d processes (%zu threads, %zu values per sample, "
      "%zu GPUs); %zu processes on the machine\n",
      samples, processes, tree_threads, values, sampler.gpu_count(), machine_processes);
  std::printf("cpu per sample (user+sys of the sampling thread): %.3f ms\n", per_sample_ms);
  std::printf("share of one core at the default %.0f s interval: %.4f%% (target < 1%%)\n",
              trail::kDefaultSystemInterval, share);
  return 0;
}
