#include "metrics/output_parser.h"

namespace trail::metrics {

// Redraws matter only to tqdm, whose bars may never end their line; Keras and key=value lines
// are read when final, so without tqdm the assembler need not report redraws at all.
OutputParser::OutputParser(OutputParserOptions options) : options_(options), terminal_(options.tqdm) {}

void OutputParser::Feed(std::string_view bytes, double now, MetricSet& out) {
  now_ = now;
  out_ = &out;
  terminal_.Feed(bytes, *this);
  out_ = nullptr;
}

void OutputParser::Finish(double now, MetricSet& out) {
  now_ = now;
  out_ = &out;
  terminal_.Finish(*this);
  keras_.Finish(out);
  tqdm_.Finish(out);
  out_ = nullptr;
}

void OutputParser::OnLine(std::string_view text, internal::LineState state) {
  if (state == internal::LineState::kOverwritten) {
    tqdm_.OnState(text, now_, options_.tqdm, *out_);
    return;
  }
  if (keras_.OnFinalLine(text, now_, options_.keras, *out_)) return;
  if (tqdm_.OnState(text, now_, options_.tqdm, *out_)) return;
  if (options_.key_values) key_values_.OnFinalLine(text, now_, *out_);
}

}  // namespace trail::metrics
