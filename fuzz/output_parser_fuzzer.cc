// Fuzzes the parser of a training script's terminal output (OutputParser, and under it the
// terminal line assembler and the Keras, tqdm and key=value recognisers).
//
// The first byte picks the options (bit 0: keras, bit 1: tqdm, bit 2: key_values) and seeds the
// chunking; the rest is the output. Checks, beyond "never crashes":
//   - Chunking changes nothing: the output fed whole, in random splits (seeded by the input, so
//     a reproducer replays exactly), and byte by byte for short inputs gives identical points
//     (key, step, time, value bit for bit) and identical line states.
//   - Line states hold no control bytes but '\t', and none is longer than kMaxLineBytes.
//   - Every recorded key is a metric name as output_parser_text.h defines it.
//   - With every recogniser off, nothing is recorded.
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/check.h"
#include "metrics/metric_set.h"
#include "metrics/output_parser.h"
#include "metrics/output_parser_terminal.h"
#include "metrics/output_parser_text.h"

namespace trail::fuzz {
namespace {

using metrics::MetricSet;
using metrics::OutputParser;
using metrics::OutputParserOptions;
using metrics::internal::LineState;
using metrics::internal::TerminalLineAssembler;

constexpr double kNow = 1700000000.25;

// Where to cut `size` bytes: every cut position, in order, ending with `size`.
using Cuts = std::vector<size_t>;

Cuts RandomCuts(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  Cuts cuts;
  for (size_t at = 0; at < size;) {
    at += std::uniform_int_distribution<size_t>(0, 64)(rng);
    if (at > size) at = size;
    cuts.push_back(at);
  }
  if (cuts.empty()) cuts.push_back(size);
  return cuts;
}

Cuts WholeInput(size_t size) { return {size}; }

Cuts EveryByte(size_t size) {
  Cuts cuts;
  for (size_t i = 1; i <= size; ++i) cuts.push_back(i);
  return cuts;
}

// Everything a MetricSet holds, flattened, times and values by their bits.
std::string Dump(const MetricSet& set) {
  std::string out;
  for (const std::string& key : set.Keys()) {
    for (const metrics::Point& p : *set.Series(key)) {
      out += key + " " + std::to_string(p.step) + " " + std::to_string(std::bit_cast<uint64_t>(p.time)) + " " +
             (std::isnan(p.value) ? std::string("nan") : std::to_string(std::bit_cast<uint64_t>(p.value))) + "\n";
    }
  }
  return out;
}

std::string ParseWith(std::string_view output, OutputParserOptions options, const Cuts& cuts) {
  OutputParser parser(options);
  MetricSet set;
  size_t from = 0;
  for (size_t to : cuts) {
    parser.Feed(output.substr(from, to - from), kNow, set);
    from = to;
  }
  parser.Finish(kNow, set);
  for (const std::string& key : set.Keys()) {
    FUZZ_CHECK(metrics::internal::IsMetricName(key), "recorded a key that is not a metric name: " + Escaped(key));
  }
  return Dump(set);
}

class StateLog : public metrics::internal::TerminalLineSink {
 public:
  void OnLine(std::string_view text, LineState state) override {
    FUZZ_CHECK(!text.empty(), "empty line state reported");
    FUZZ_CHECK(text.size() <= TerminalLineAssembler::kMaxLineBytes, "line state over the cap");
    for (unsigned char c : text) {
      FUZZ_CHECK(c == '\t' || (c >= 0x20 && c != 0x7f), "control byte in a line state: " + Escaped(text));
    }
    log += (state == LineState::kFinal ? "F " : "O ") + std::string(text) + "\n";
  }
  std::string log;
};

std::string StatesWith(std::string_view output, const Cuts& cuts) {
  TerminalLineAssembler assembler(/*report_overwritten=*/true);
  StateLog log;
  size_t from = 0;
  for (size_t to : cuts) {
    assembler.Feed(output.substr(from, to - from), log);
    from = to;
  }
  assembler.Finish(log);
  return log.log;
}

void FuzzOutputParser(std::string_view input) {
  if (input.empty()) return;
  const uint8_t control = static_cast<uint8_t>(input[0]);
  std::string_view output = input.substr(1);
  OutputParserOptions options;
  options.keras = control & 1;
  options.tqdm = control & 2;
  options.key_values = control & 4;
  const uint32_t seed = control * 2654435761u + static_cast<uint32_t>(output.size());

  const std::string whole = ParseWith(output, options, WholeInput(output.size()));
  FUZZ_CHECK(ParseWith(output, options, RandomCuts(output.size(), seed)) == whole,
             "random chunking changed the points of: " + Escaped(output));
  if (output.size() <= 4096) {
    FUZZ_CHECK(ParseWith(output, options, EveryByte(output.size())) == whole,
               "byte-by-byte feeding changed the points of: " + Escaped(output));
  }
  if (!options.keras && !options.tqdm && !options.key_values) {
    FUZZ_CHECK(whole.empty(), "recorded points with every recogniser off: " + Escaped(output));
  }

  const std::string states = StatesWith(output, WholeInput(output.size()));
  FUZZ_CHECK(StatesWith(output, RandomCuts(output.size(), seed + 1)) == states,
             "random chunking changed the line states of: " + Escaped(output));
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  trail::fuzz::FuzzOutputParser(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
