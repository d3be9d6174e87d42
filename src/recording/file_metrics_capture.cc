#include "recording/file_metrics_capture.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <vector>

#include "base/clock.h"
#include "process/fd_io.h"

namespace trail {
namespace {

constexpr auto kPollInterval = std::chrono::seconds(1);

}  // namespace

FileMetricsCapture::FileMetricsCapture(std::string path, const MetricsConfig& config, std::string run_cwd,
                                       double started)
    : path_(std::move(path)), reader_(config, std::move(run_cwd), started) {
  if (!reader_.enabled()) return;
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return;  // nothing to watch live; finalizing still reads the files
  worker_ = std::thread([this] { Work(); });
}

FileMetricsCapture::~FileMetricsCapture() {
  Stop();
  if (fd_ >= 0) ::close(fd_);
}

void FileMetricsCapture::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
}

// Reads once a second while the run lasts. Not at the start (nothing the run wrote exists yet)
// and not after Stop (the record reads the files once more anyway): a short run walks its
// folder for log files only when it is recorded.
void FileMetricsCapture::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, kPollInterval, [this] { return stopping_; })) {
    lock.unlock();
    ReadOnce();
    lock.lock();
  }
}

void FileMetricsCapture::ReadOnce() {
  // Warnings are reported once, by the final read when the run is recorded.
  std::vector<std::string> warnings;
  reader_.Poll(NowUnixSeconds(), &warnings);
  std::string lines;
  reader_.AppendNewPoints(&lines);
  if (!lines.empty()) (void)process::WriteFully(fd_, lines.data(), lines.size());
}

}  // namespace trail
