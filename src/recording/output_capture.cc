#include "recording/output_capture.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>

#include "base/clock.h"
#include "base/numbers.h"
#include "base/yaml.h"
#include "metrics/protocol_line.h"
#include "process/fd_io.h"

namespace trail {

OutputMetricsCapture::OutputMetricsCapture(std::string path, metrics::OutputParserOptions options,
                                           size_t max_queued_bytes)
    : path_(std::move(path)), options_(options), max_queued_bytes_(max_queued_bytes) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  worker_ = std::thread([this] { Work(); });
}

OutputMetricsCapture::~OutputMetricsCapture() {
  Finish();
  if (fd_ >= 0) ::close(fd_);
}

void OutputMetricsCapture::Feed(size_t stream, const char* data, size_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finishing_) return;
  if (queued_bytes_ + size > max_queued_bytes_) {
    dropped_bytes_ += size;
    return;
  }
  queued_bytes_ += size;
  queue_.push_back({stream, std::string(data, size)});
  wake_.notify_one();
}

void OutputMetricsCapture::Sync() {
  if (fd_ >= 0) ::fdatasync(fd_);
}

void OutputMetricsCapture::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    finishing_ = true;
    wake_.notify_one();
  }
  if (worker_.joinable()) worker_.join();
  double now = NowUnixSeconds();
  for (auto& p : parsers_) {
    if (p) p->Finish(now, set_);
  }
  Emit();
  Sync();
}

uint64_t OutputMetricsCapture::dropped_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_bytes_;
}

int64_t OutputMetricsCapture::points() const { return points_; }

void OutputMetricsCapture::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return !queue_.empty() || finishing_; });
    if (queue_.empty()) return;  // finishing and drained
    Chunk chunk = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= chunk.bytes.size();
    lock.unlock();
    Parse(chunk);
    lock.lock();
  }
}

void OutputMetricsCapture::Parse(const Chunk& chunk) {
  if (chunk.stream >= parsers_.size()) parsers_.resize(chunk.stream + 1);
  auto& parser = parsers_[chunk.stream];
  if (!parser) parser = std::make_unique<metrics::OutputParser>(options_);
  int64_t before = set_.TotalPoints();
  parser->Feed(chunk.bytes, NowUnixSeconds(), set_);
  if (set_.TotalPoints() != before) Emit();
}

void OutputMetricsCapture::Emit() {
  if (emitted_.size() < set_.NumKeys()) emitted_.resize(set_.NumKeys(), 0);
  line_buffer_.clear();
  for (size_t id = 0; id < set_.NumKeys(); ++id) {
    const auto* series = set_.Series(set_.KeyById(id));
    if (!series) continue;
    std::string key = Json(std::string(set_.KeyById(id))).dump();
    for (size_t i = static_cast<size_t>(emitted_[id]); i < series->size(); ++i) {
      const metrics::Point& p = (*series)[i];
      metrics::AppendProtocolLine(&line_buffer_, p.step, p.time, key, p.value);
      ++points_;
    }
    emitted_[id] = static_cast<int64_t>(series->size());
  }
  if (fd_ >= 0 && !line_buffer_.empty()) (void)process::WriteFully(fd_, line_buffer_.data(), line_buffer_.size());
}

}  // namespace trail
