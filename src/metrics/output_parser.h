// OutputParser: metrics from a training script's terminal output, with no change to the script.
//
// `trail run` relays the child's stdout and stderr to the user unchanged; a copy of the same
// bytes goes through an OutputParser, which recognises
//   - Keras progress output (Keras 2 and 3, TTY redraws or verbose=2): one point per metric per
//     epoch, step = the epoch number as printed (output_parser_keras.h);
//   - the postfix of tqdm bars ("loss=0.231" in "[00:03<00:04, 12.1it/s, loss=0.231]"): one point
//     per bar and step, step = the epoch in the bar's description, else its counter
//     (output_parser_tqdm.h);
//   - when enabled, "key=value" / "key: value" log lines (output_parser_key_values.h).
// Bytes become line states in output_parser_terminal.h ('\r' and '\b' redraws, ANSI escape
// sequences, bounded line length); each final line goes to the first recogniser that claims it,
// in the order above, so a Keras or tqdm line is never also read as key=value text. A recogniser
// that is turned off still claims its lines but records nothing. The user-facing rules are in
// docs/output-parsing.md.
//
// Keys are recorded exactly as printed ("val_loss", "accuracy"); points are stamped with the
// `now` of the Feed call that completed them.
//
// Not thread-safe: one parser per output stream (stdout and stderr interleaved in the order they
// were read is fine; Keras writes its bars to stdout, tqdm to stderr). Memory is bounded: one
// line of at most 64 KiB, plus a few held states.
#pragma once

#include <string_view>

#include "metrics/metric_set.h"
#include "metrics/output_parser_keras.h"
#include "metrics/output_parser_key_values.h"
#include "metrics/output_parser_terminal.h"
#include "metrics/output_parser_tqdm.h"

namespace trail::metrics {

struct OutputParserOptions {
  bool keras = true;
  bool tqdm = true;
  bool key_values = false;  // arbitrary logs hold many numbers that are not metrics
};

class OutputParser : private internal::TerminalLineSink {
 public:
  explicit OutputParser(OutputParserOptions options = {});
  OutputParser(const OutputParser&) = delete;
  OutputParser& operator=(const OutputParser&) = delete;

  // Feeds bytes exactly as the child wrote them, split anywhere (mid-line, mid-UTF-8 sequence,
  // mid-escape sequence): any chunking of the same bytes adds the same points. Points completed
  // by these bytes go to `out`, stamped `now` (unix seconds).
  void Feed(std::string_view bytes, double now, MetricSet& out);

  // The output ended: takes the line still showing (a last line without '\n', a bar never
  // closed) as final, and records every state held for a later decision. The parser is then
  // ready for new output.
  void Finish(double now, MetricSet& out);

 private:
  void OnLine(std::string_view text, internal::LineState state) override;

  const OutputParserOptions options_;
  internal::TerminalLineAssembler terminal_;
  internal::KerasRecogniser keras_;
  internal::TqdmRecogniser tqdm_;
  internal::KeyValueRecogniser key_values_;
  // Set for the duration of Feed / Finish, for OnLine.
  double now_ = 0;
  MetricSet* out_ = nullptr;
};

}  // namespace trail::metrics
