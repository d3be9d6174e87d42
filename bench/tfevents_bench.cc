// Ingest throughput of TensorBoard event files: scalars per second, end to end from disk.
//
//   tfevents_bench [SCALARS] [DIR]      (default 2000000 scalars, in $TMPDIR or /tmp)
//
// Writes one event file the way TensorFlow and PyTorch writers lay it out -- a file_version
// record, then one event per scalar over four tags in both forms: "loss" and "accuracy" as
// simple_value (TF1, tensorboardX, torch.utils.tensorboard), "epoch_loss" as a rank-0 float
// tensor in tensor_content and "learning_rate" in float_val (TF2 tf.summary.scalar, Keras), each
// tensor tag with "scalars" plugin metadata on its first value only. Then reads it with
// EventFileReader::Poll into a fresh MetricSet and prints scalars/s:
//   - warm: the file in the page cache (best of 3), the case of a run being followed live;
//   - cold: after asking the kernel to drop the file's cached pages (posix_fadvise DONTNEED;
//     a hint some filesystems ignore), the case of ingesting at the end of a run.
// Rates are wall-clock; the CPU time is printed too, since a loaded machine stretches the wall
// clock. Target: >= 1,000,000 scalars/s.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "ingest/event_file_reader.h"
#include "ingest/tfrecord.h"
#include "metrics/metric_set.h"

namespace {

using trail::ingest::EventFileReader;
using trail::metrics::MetricSet;

// --- a writer's protobuf encoding (field numbers from event.proto, summary.proto, tensor.proto) ---

void Varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void Key(std::string& out, int field, int type) { Varint(out, static_cast<uint64_t>(field) << 3 | type); }
void Fixed(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void Bytes(std::string& out, int field, const std::string& bytes) {
  Key(out, field, 2);
  Varint(out, bytes.size());
  out += bytes;
}

std::string SimpleValue(const std::string& tag, float v) {
  std::string value;
  Bytes(value, 1, tag);
  Key(value, 2, 5);
  Fixed(value, std::bit_cast<uint32_t>(v), 4);
  return value;
}

std::string TensorValue(const std::string& tag, float v, bool in_content, bool with_metadata) {
  std::string tensor;
  Key(tensor, 1, 0);
  Varint(tensor, 1);     // DT_FLOAT
  Bytes(tensor, 2, "");  // rank 0
  std::string raw;
  Fixed(raw, std::bit_cast<uint32_t>(v), 4);
  Bytes(tensor, in_content ? 4 : 5, raw);  // tensor_content, or packed float_val
  std::string value;
  Bytes(value, 1, tag);
  Bytes(value, 8, tensor);
  if (with_metadata) {
    std::string plugin_data, metadata;
    Bytes(plugin_data, 1, "scalars");
    Bytes(metadata, 1, plugin_data);
    Bytes(value, 9, metadata);
  }
  return value;
}

std::string Event(double wall_time, int64_t step, const std::string& value) {
  std::string event, summary;
  Key(event, 1, 1);
  Fixed(event, std::bit_cast<uint64_t>(wall_time), 8);
  Key(event, 2, 0);
  Varint(event, static_cast<uint64_t>(step));
  Bytes(summary, 1, value);
  Bytes(event, 5, summary);
  return event;
}

void AppendRecord(std::string& out, const std::string& data) {
  out += trail::ingest::TfRecordHeader(data.size());
  out += data;
  out += trail::ingest::TfRecordFooter(data);
}

// Writes the file in 4 MiB pieces; returns its size.
uint64_t WriteEventFile(const std::string& path, int64_t scalars) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  uint64_t size = 0;
  std::string chunk;
  auto flush = [&] {
    if (::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) {
      std::perror("write");
      std::exit(1);
    }
    size += chunk.size();
    chunk.clear();
  };
  std::string version;
  Key(version, 1, 1);
  Fixed(version, std::bit_cast<uint64_t>(1700000000.0), 8);
  Bytes(version, 3, "brain.Event:2");
  AppendRecord(chunk, version);
  for (int64_t i = 0; i < scalars; ++i) {
    const int64_t step = i / 4;
    const double wall_time = 1700000000.0 + static_cast<double>(i) * 0.001;
    const float v = 1.0f / static_cast<float>(1 + step);
    std::string value;
    switch (i % 4) {
      case 0:
        value = SimpleValue("loss", v);
        break;
      case 1:
        value = SimpleValue("accuracy", 1.0f - v);
        break;
      case 2:
        value = TensorValue("epoch_loss", v, /*in_content=*/true, /*with_metadata=*/step == 0);
        break;
      default:
        value = TensorValue("learning_rate", 0.001f, /*in_content=*/false, /*with_metadata=*/step == 0);
        break;
    }
    AppendRecord(chunk, Event(wall_time, step, value));
    if (chunk.size() >= (size_t{4} << 20)) flush();
  }
  flush();
  ::fsync(fd);
  ::close(fd);
  return size;
}

struct Run {
  double seconds;      // wall clock
  double cpu_seconds;  // this process, user + system: what the rate would be on an idle core
  int64_t points;
};

double CpuSeconds() {
  struct timespec ts;
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

Run ReadOnce(const std::string& path) {
  MetricSet set;
  std::vector<std::string> warnings;
  const double cpu_start = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  EventFileReader reader(path, "train/");
  trail::StatusOr<int64_t> n = reader.Poll(set, &warnings);
  const auto end = std::chrono::steady_clock::now();
  const double cpu = CpuSeconds() - cpu_start;
  if (!n.ok() || !warnings.empty()) {
    std::fprintf(stderr, "read failed: %s %s\n", n.ok() ? "" : n.status().message().c_str(),
                 warnings.empty() ? "" : warnings[0].c_str());
    std::exit(1);
  }
  return Run{std::chrono::duration<double>(end - start).count(), cpu, *n};
}

void DropCache(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t scalars = argc > 1 ? std::atoll(argv[1]) : 2000000;
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = argc > 2 ? argv[2] : (tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  const std::string path = dir + "/events.out.tfevents.bench." + std::to_string(::getpid());

  const auto write_start = std::chrono::steady_clock::now();
  const uint64_t bytes = WriteEventFile(path, scalars);
  const double write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - write_start).count();
  std::printf("event file: %lld scalars, %.1f MiB, %.1f bytes/record (written in %.2f s)\n",
              static_cast<long long>(scalars), bytes / 1048576.0, static_cast<double>(bytes) / (scalars + 1), write_s);

  DropCache(path);
  const Run cold = ReadOnce(path);
  std::vector<Run> warm;
  for (int i = 0; i < 3; ++i) warm.push_back(ReadOnce(path));
  const Run best =
      *std::min_element(warm.begin(), warm.end(), [](const Run& a, const Run& b) { return a.seconds < b.seconds; });
  ::unlink(path.c_str());

  for (const Run& r : {cold, best}) {
    if (r.points != scalars) {
      std::fprintf(stderr, "read %lld scalars, wrote %lld\n", static_cast<long long>(r.points),
                   static_cast<long long>(scalars));
      return 1;
    }
  }
  auto report = [&](const char* name, const Run& r) {
    std::printf("%-5s %10.0f scalars/s  %7.1f MiB/s  %6.1f ns/scalar  (%.3f s wall; %.3f s cpu: %.0f scalars/cpu-s)\n",
                name, r.points / r.seconds, bytes / 1048576.0 / r.seconds, r.seconds * 1e9 / r.points, r.seconds,
                r.cpu_seconds, r.points / r.cpu_seconds);
  };
  report("warm", best);
  report("cold", cold);
  std::printf("target >= 1000000 scalars/s: %s\n", best.points / best.seconds >= 1e6 ? "met" : "NOT met");
  return 0;
}
