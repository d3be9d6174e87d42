#include "progress_bar.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "trail/format.h"

namespace trail::cli {
namespace {

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void WriteStderr(const std::string& text) {
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
}

int StderrColumns() {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

std::string ProgressBytes(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  size_t u = 0;
  while (bytes >= 1024 && u + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%.0f B", bytes);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", bytes, kUnits[u]);
  return buf;
}

std::string ProgressEta(double seconds) {
  const auto s = static_cast<uint64_t>(std::ceil(std::max(0.0, seconds)));
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llus", static_cast<unsigned long long>(s));
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%llum%02llus", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%lluh%02llum", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60));
  return buf;
}

ProgressBar::ProgressBar(Options options) : options_(std::move(options)) {
  if (!options_.now) options_.now = SteadySeconds;
  if (!options_.write) options_.write = WriteStderr;
  if (!options_.columns) options_.columns = StderrColumns;
}

ProgressBar::~ProgressBar() {
  // A phase the library left open (it ends every phase it begins) still gets its line ended.
  if (active_) End();
}

void ProgressBar::Begin(std::string_view title, std::string_view unit, uint64_t total_units, uint64_t total_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  active_ = true;
  drawn_ = false;
  title_ = title;
  unit_ = unit;
  total_units_ = total_units;
  total_bytes_ = total_bytes;
  units_ = bytes_ = 0;
  started_ = options_.now();
  last_draw_ = started_;
  samples_.assign(1, Sample{started_, 0, 0});
  if (options_.delay_s <= 0) DrawLocked(started_, false);
}

void ProgressBar::Advance(uint64_t units, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!active_) return;
  units_ += units;
  bytes_ += bytes;
  const double now = options_.now();
  if (now - last_draw_ < options_.min_interval_s && drawn_) return;
  if (now - started_ < options_.delay_s) return;
  // One sample per redraw: the window holds at most window_s * 10 of them.
  samples_.push_back(Sample{now, units_, bytes_});
  while (samples_.size() > 2 && samples_[1].t <= now - options_.window_s) samples_.pop_front();
  DrawLocked(now, false);
}

void ProgressBar::End() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!active_) return;
  active_ = false;
  const double now = options_.now();
  if (!drawn_ && (options_.delay_s > 0 && now - started_ < options_.delay_s)) return;  // too quick to show
  samples_.push_back(Sample{now, units_, bytes_});
  while (samples_.size() > 2 && samples_[1].t <= now - options_.window_s) samples_.pop_front();
  DrawLocked(now, true);
  options_.write("\n");
}

std::string ProgressBar::LineAt(double now, bool done) {
  std::lock_guard<std::mutex> lock(mu_);
  return LineLocked(now, done);
}

void ProgressBar::DrawLocked(double now, bool done) {
  last_draw_ = now;
  drawn_ = true;
  const int columns = options_.columns();
  std::string line = LineLocked(now, done);
  // One column short of the width: a line that fills it wraps on some terminals.
  if (columns > 1) line = api::TruncateToWidth(line, static_cast<size_t>(columns - 1));
  options_.write("\r" + line + "\033[K");
}

std::string ProgressBar::LineLocked(double now, bool done) {
  // "Title: 63% (1234/1950 files), 1.2 GiB | 210.0 MiB/s, ETA 4s": each part only when known.
  std::string counts;
  const bool by_bytes = total_bytes_ > 0;
  if (total_units_ > 0 || by_bytes) {
    double fraction = by_bytes ? static_cast<double>(bytes_) / static_cast<double>(total_bytes_)
                               : static_cast<double>(units_) / static_cast<double>(total_units_);
    if (done && units_ >= total_units_) fraction = 1;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%3d%%", static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 100));
    counts = buf;
  }
  if (total_units_ > 0) {
    counts += " (" + std::to_string(units_) + "/" + std::to_string(total_units_) + " " + unit_ + ")";
  } else if (!unit_.empty()) {
    counts += (counts.empty() ? "" : " ") + std::to_string(units_) + " " + unit_;
  }
  // The rate over the window: from its oldest sample to now.
  const Sample& base = samples_.front();
  const double span = now - base.t;
  const bool have_rate = span >= 0.2;
  const double byte_rate = have_rate ? static_cast<double>(bytes_ - base.bytes) / span : 0;
  const double unit_rate = have_rate ? static_cast<double>(units_ - base.units) / span : 0;
  std::string line = title_ + ": " + counts;
  if (by_bytes || bytes_ > 0) {
    line += (counts.empty() ? "" : ", ") + ProgressBytes(static_cast<double>(bytes_));
    if (have_rate) line += " | " + ProgressBytes(byte_rate) + "/s";
  } else if (have_rate && unit_rate > 0 && !unit_.empty()) {
    char buf[48];
    std::snprintf(buf, sizeof buf, " | %.0f %s/s", unit_rate, unit_.c_str());
    line += buf;
  }
  if (done) return line + ", done.";
  if (by_bytes && byte_rate > 0 && total_bytes_ > bytes_) {
    line += ", ETA " + ProgressEta(static_cast<double>(total_bytes_ - bytes_) / byte_rate);
  } else if (!by_bytes && total_units_ > units_ && unit_rate > 0) {
    line += ", ETA " + ProgressEta(static_cast<double>(total_units_ - units_) / unit_rate);
  }
  return line;
}

}  // namespace trail::cli
