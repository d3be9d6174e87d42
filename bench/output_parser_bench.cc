// output_parser_bench: how fast OutputParser reads training output, in MB/s on one core.
//
// Usage: output_parser_bench [MB [WORKLOAD]]   (each workload about MB megabytes, default 64;
//                                             only WORKLOAD if named)
//
// `trail run` parses a copy of the child's output on its own thread; this is the rate that
// thread keeps up with. Each workload is generated once, in the shape real programs write it,
// then fed in 64 KiB chunks (what one read of a pipe or pty returns) through a fresh parser;
// the figures are the best of 5 passes, by the thread's CPU time (steady on a busy machine) and
// by wall time. The points recorded are printed so that a parser that got
// fast by missing the data would show.
//   keras2-tty   Keras 2 Progbar on a terminal: every batch redraws the bar with a run of '\b',
//                '\r', the bar, ETA and running metrics (1875 batches per epoch, MNIST-sized)
//   keras3-tty   Keras 3: the same with its ━ bar and ANSI colours
//   keras-v2     verbose=2: "Epoch N/M" and one final line per epoch
//   tqdm         an epoch tqdm bar with a postfix, redrawn every batch ('\r')
//   key-values   "step N loss=... acc=..." lines, with key_values on
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/metric_set.h"
#include "metrics/output_parser.h"

namespace {

using trail::metrics::MetricSet;
using trail::metrics::OutputParser;
using trail::metrics::OutputParserOptions;

constexpr int kBatches = 1875;
constexpr size_t kChunk = 64 * 1024;

std::string Fixed(double v, int precision = 4) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  return buf;
}

std::string Padded(int n, int width) {
  std::string s = std::to_string(n);
  return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, ' ') + s;
}

double Loss(int epoch, int batch) { return 1.0 / (epoch + 1) + 0.1 / batch; }

void Keras2Epoch(std::string& out, int epoch, int epochs) {
  out += "Epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) + "\n";
  size_t prev = 0;
  for (int b = 1; b <= kBatches; ++b) {
    const bool last = b == kBatches;
    int done = 30 * b / kBatches;
    std::string line = Padded(b, 4) + "/" + std::to_string(kBatches) + " [" +
                       std::string(done > 0 ? done - 1 : 0, '=') + (last ? "=" : ">") + std::string(30 - done, '.') +
                       "]";
    line += last ? " - 3s 2ms/step" : " - ETA: " + std::to_string((kBatches - b) / 600) + "s";
    line += " - loss: " + Fixed(Loss(epoch, b)) + " - accuracy: " + Fixed(1 - Loss(epoch, b) / 2);
    if (last) line += " - val_loss: " + Fixed(Loss(epoch, b) * 1.1) + " - val_accuracy: " + Fixed(0.9);
    out.append(prev, '\b');
    out += '\r';
    out += line;
    if (line.size() < prev) out.append(prev - line.size(), ' ');
    prev = line.size();
    if (last) out += '\n';
  }
}

void Keras3Epoch(std::string& out, int epoch, int epochs) {
  out += "Epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) + "\n";
  for (int b = 1; b <= kBatches; ++b) {
    const bool last = b == kBatches;
    int done = 20 * b / kBatches;
    std::string green, white;
    for (int i = 0; i < 20; ++i) (i < done ? green : white) += "\u2501";
    out.append(b == 1 ? 0 : 70, '\b');
    out += "\r\x1b[1m" + Padded(b, 4) + "/" + std::to_string(kBatches) + "\x1b[0m ";
    if (done > 0) out += "\x1b[32m" + green + "\x1b[0m";
    out += "\x1b[37m" + white + "\x1b[0m \x1b[1m" + std::to_string((kBatches - b) / 600) + "s\x1b[0m 2ms/step";
    out += " - accuracy: " + Fixed(1 - Loss(epoch, b) / 2) + " - loss: " + Fixed(Loss(epoch, b));
    if (last) out += " - val_accuracy: " + Fixed(0.9) + " - val_loss: " + Fixed(Loss(epoch, b) * 1.1) + "\n";
  }
}

void KerasVerbose2Epoch(std::string& out, int epoch, int epochs) {
  out += "Epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) + "\n";
  out += std::to_string(kBatches) + "/" + std::to_string(kBatches) + " - 3s - loss: " + Fixed(Loss(epoch, 1)) +
         " - accuracy: " + Fixed(0.9) + " - val_loss: " + Fixed(Loss(epoch, 2)) + " - val_accuracy: " + Fixed(0.88) +
         " - 3s/epoch - 2ms/step\n";
}

void TqdmEpoch(std::string& out, int epoch, int epochs) {
  const std::string desc = "Epoch " + std::to_string(epoch) + ": ";
  for (int b = 0; b <= kBatches; ++b) {
    int pct = 100 * b / kBatches;
    std::string bar;
    for (int i = 0; i < 10; ++i) bar += i < pct / 10 ? "\u2588" : " ";
    out += "\r" + desc + Padded(pct, 3) + "%|" + bar + "| " + std::to_string(b) + "/" + std::to_string(kBatches) +
           " [00:03<00:04, 612.10it/s";
    if (b > 0) out += ", acc=" + Fixed(1 - Loss(epoch, b) / 2, 3) + ", loss=" + Fixed(Loss(epoch, b), 3);
    out += "]";
  }
  out += "\n";
}

void KeyValueLines(std::string& out, int epoch, int epochs) {
  for (int b = 1; b <= kBatches; b += 25) {
    out += "INFO:train:step " + std::to_string(epoch * kBatches + b) + " loss=" + Fixed(Loss(epoch, b)) +
           " acc=" + Fixed(0.9) + " lr=1.0000e-03\n";
  }
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct Workload {
  const char* name;
  void (*epoch)(std::string&, int, int);
  bool key_values;
};

}  // namespace

int main(int argc, char** argv) {
  const double target_mb = argc > 1 ? std::atof(argv[1]) : 64;
  if (target_mb <= 0) {
    std::fprintf(stderr, "usage: %s [MB [WORKLOAD]]\n", argv[0]);
    return 2;
  }
  const Workload workloads[] = {
      {"keras2-tty", Keras2Epoch, false}, {"keras3-tty", Keras3Epoch, false},  {"keras-v2", KerasVerbose2Epoch, false},
      {"tqdm", TqdmEpoch, false},         {"key-values", KeyValueLines, true},
  };
  std::printf("%-12s %8s %12s %12s %9s %10s\n", "workload", "MB", "MB/s (cpu)", "MB/s (wall)", "epochs", "points");
  for (const Workload& w : workloads) {
    if (argc > 2 && std::string_view(argv[2]) != w.name) continue;
    std::string data;
    int epochs = 0;
    while (data.size() < target_mb * 1e6) w.epoch(data, ++epochs, 1000000);
    OutputParserOptions options;
    options.key_values = w.key_values;
    double best_cpu = 1e30, best_wall = 1e30;
    int64_t points = 0;
    for (int pass = 0; pass < 5; ++pass) {
      OutputParser parser(options);
      MetricSet set;
      auto start = std::chrono::steady_clock::now();
      double cpu_start = ThreadCpuSeconds();
      for (size_t i = 0; i < data.size(); i += kChunk) {
        parser.Feed(std::string_view(data).substr(i, kChunk), 1.7e9, set);
      }
      parser.Finish(1.7e9, set);
      best_cpu = std::min(best_cpu, ThreadCpuSeconds() - cpu_start);
      best_wall = std::min(best_wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      points = set.TotalPoints();
    }
    const double mb = data.size() / 1e6;
    std::printf("%-12s %8.1f %12.0f %12.0f %9d %10lld\n", w.name, mb, mb / best_cpu, mb / best_wall, epochs,
                static_cast<long long>(points));
  }
  return 0;
}
