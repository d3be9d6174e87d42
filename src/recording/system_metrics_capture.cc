#include "recording/system_metrics_capture.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "base/clock.h"
#include "base/yaml.h"
#include "context/nvml.h"
#include "process/fd_io.h"
#include "sysmon/system_sampler.h"

namespace trail {
namespace {

// The step after the last line of `fd`'s file: a resumed run's earlier samples are there already
// (recording/resume.h writes them series by series, each in step order, and every series has a
// point at the last sample), and its new ones number on from them. 0 for a new file.
int64_t NextStep(int fd) {
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size <= 0) return 0;
  std::string tail(static_cast<size_t>(std::min<off_t>(size, 4096)), '\0');
  if (::pread(fd, tail.data(), tail.size(), size - static_cast<off_t>(tail.size())) !=
      static_cast<ssize_t>(tail.size()))
    return 0;
  while (!tail.empty() && tail.back() == '\n') tail.pop_back();
  const size_t start = tail.rfind('\n');
  Json last = Json::parse(start == std::string::npos ? tail : tail.substr(start + 1), nullptr, false);
  if (!last.is_object() || !last.contains("step") || !last["step"].is_number_integer()) return 0;
  const int64_t step = last["step"].get<int64_t>();
  return step >= 0 && step < (int64_t{1} << 53) ? step + 1 : 0;
}

double MonotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

SystemMetricsCapture::SystemMetricsCapture(std::string path, pid_t pid, double interval_s, std::vector<std::string> env)
    : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return;  // the run goes on without system metrics
  worker_ =
      std::thread([this, pid, interval_s, env = std::move(env)]() mutable { Work(pid, interval_s, std::move(env)); });
}

SystemMetricsCapture::~SystemMetricsCapture() {
  Stop();
  if (fd_ >= 0) ::close(fd_);
}

void SystemMetricsCapture::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
}

void SystemMetricsCapture::Work(pid_t pid, double interval_s, std::vector<std::string> env) {
  sysmon::SamplerOptions options;
  options.root_pid = pid;
  options.ticks_per_second = ::sysconf(_SC_CLK_TCK);
  options.page_size = ::sysconf(_SC_PAGESIZE);
  options.env = sysmon::LookupIn(std::move(env));
  options.open_nvml = context::OpenSystemNvml;
  sysmon::SystemSampler sampler(std::move(options), MonotonicSeconds());
  // Samples on a fixed schedule from the start, so a slow sample does not shift the ones after.
  const auto interval =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(interval_s));
  auto next = std::chrono::steady_clock::now() + interval;
  int64_t step = NextStep(fd_);
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_until(lock, next, [this] { return stopping_; })) {
    lock.unlock();
    const double wall = NowUnixSeconds();
    sysmon::SampleValues values = sampler.Sample(MonotonicSeconds());
    if (!values.empty()) {
      Json line = Json::object();
      line["step"] = step++;
      line["time"] = wall;
      for (const auto& [name, value] : values) line[name] = value;
      std::string text = line.dump() + "\n";
      if (process::WriteFully(fd_, text.data(), text.size()) == 0) (void)::fdatasync(fd_);
    }
    next += interval;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now + interval;  // fell behind (a stopped machine): skip, do not burst
    lock.lock();
  }
}

}  // namespace trail
