// metric_writer: a training loop that only reports metrics, as fast as it can.
//
// Usage: metric_writer LINES
//
// Appends LINES lines of the metrics line protocol to the file named by
// $TRAIL_METRICS, each {"step": i, "loss": L, "val_loss": V} (two points per
// line: "step" is the step, not a metric). Writes go through one 1 MiB buffer,
// so the cost is formatting plus a few large write(2) calls: whatever time a
// run takes beyond this program's own is trail's.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

class Appender {
 public:
  explicit Appender(int fd) : fd_(fd) {}
  ~Appender() { Flush(); }

  void Put(const char* s, size_t n) {
    if (used_ + n > sizeof buf_) Flush();
    std::memcpy(buf_ + used_, s, n);
    used_ += n;
  }
  void Put(const char* s) { Put(s, std::strlen(s)); }
  void PutInt(long long v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    Put(tmp, r.ptr - tmp);
  }
  // Shortest round-trip text, as a Python or C++ logger would print it.
  void PutDouble(double v) {
    char tmp[32];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    Put(tmp, r.ptr - tmp);
  }
  void Flush() {
    size_t off = 0;
    while (off < used_) {
      ssize_t w = ::write(fd_, buf_ + off, used_ - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        std::perror("metric_writer: write");
        std::exit(1);
      }
      off += static_cast<size_t>(w);
    }
    used_ = 0;
  }

 private:
  int fd_;
  size_t used_ = 0;
  char buf_[1 << 20];
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: metric_writer LINES  (appends to $TRAIL_METRICS)\n");
    return 2;
  }
  char* end = nullptr;
  long long lines = std::strtoll(argv[1], &end, 10);
  if (*end != '\0' || lines < 0) {
    std::fprintf(stderr, "metric_writer: bad line count '%s'\n", argv[1]);
    return 2;
  }
  const char* path = std::getenv("TRAIL_METRICS");
  if (path == nullptr || *path == '\0') {
    std::fprintf(stderr, "metric_writer: TRAIL_METRICS is not set\n");
    return 2;
  }
  int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "metric_writer: cannot open %s: %s\n", path, std::strerror(errno));
    return 1;
  }
  {
    static Appender out(fd);  // static: the 1 MiB buffer stays off the stack
    unsigned long long state = 0x9E3779B97F4A7C15ull;
    for (long long i = 0; i < lines; ++i) {
      // A decaying loss with a little xorshift noise: realistic digit counts.
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      double noise = static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;
      double loss = 2.0 * std::exp(-static_cast<double>(i) / (lines / 5.0 + 1)) + 0.05 + 0.01 * noise;
      double val_loss = loss * 1.1 + 0.02 * noise;
      out.Put("{\"step\": ");
      out.PutInt(i);
      out.Put(", \"loss\": ");
      out.PutDouble(loss);
      out.Put(", \"val_loss\": ");
      out.PutDouble(val_loss);
      out.Put("}\n");
    }
    out.Flush();
  }
  if (::close(fd) != 0) {
    std::perror("metric_writer: close");
    return 1;
  }
  return 0;
}
