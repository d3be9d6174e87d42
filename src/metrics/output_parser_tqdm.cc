#include "metrics/output_parser_tqdm.h"

#include "base/numbers.h"
#include "metrics/output_parser_text.h"

namespace trail::metrics::internal {
namespace {

constexpr std::string_view kPostfixSeparator = ", ";

// True when `s` starts with tqdm's elapsed time ("00:03", "1:02:03") followed by what tqdm puts
// after it: '<' (then the remaining time), ',' (then the rate) or the closing ']'.
bool StartsWithElapsed(std::string_view s) {
  size_t i = 0;
  bool colon = false;
  while (i < s.size() && (IsDigit(s[i]) || s[i] == ':')) colon |= s[i++] == ':';
  return i > 0 && IsDigit(s[0]) && colon && i < s.size() && (s[i] == '<' || s[i] == ',' || s[i] == ']');
}

// `s` without a trailing ':' and the spaces around it: the description of "Epoch 2: ".
std::string_view DescriptionBefore(std::string_view s) {
  s = TrimRightSpaces(s);
  if (s.ends_with(':')) s.remove_suffix(1);
  return TrimSpaces(s);
}

}  // namespace

bool ParseTqdmBar(std::string_view text, TqdmBar& out) {
  // tqdm pads a shorter redraw with spaces; a bar then ends with ']' (cheap first test: Keras
  // redraws end with a number).
  std::string_view t = TrimRightSpaces(text);
  if (t.empty() || t.back() != ']') return false;
  // The bracket is the rightmost '[' that opens with an elapsed time (descriptions and postfix
  // values may hold brackets of their own).
  size_t open = t.size() - 1;
  do {
    if (open == 0) return false;
    open = t.rfind('[', open - 1);
    if (open == std::string_view::npos) return false;
  } while (!StartsWithElapsed(t.substr(open + 1)));
  out.bracket = t.substr(open + 1, t.size() - open - 2);

  // The counter is the last word before the bracket: "45/100", or "45it" without a total.
  std::string_view head = TrimRightSpaces(t.substr(0, open));
  size_t space = head.rfind(' ');
  std::string_view counter = space == std::string_view::npos ? head : head.substr(space + 1);
  std::string_view before = space == std::string_view::npos ? std::string_view() : head.substr(0, space);
  std::string_view n_text;
  if (size_t slash = counter.find('/'); slash != std::string_view::npos) {
    n_text = counter.substr(0, slash);
    out.total = counter.substr(slash + 1);
    // With a total, tqdm draws "{desc}: {percent}%|{bar}| n/total"; the description ends where
    // the percentage begins.
    size_t bar = before.find("%|");
    if (bar == std::string_view::npos) return false;
    size_t percent = bar;
    while (percent > 0 && (IsDigit(before[percent - 1]) || before[percent - 1] == '.')) --percent;
    if (percent == bar) return false;
    out.description = DescriptionBefore(before.substr(0, percent));
  } else {
    size_t digits = 0;
    while (digits < counter.size() && IsDigit(counter[digits])) ++digits;
    n_text = counter.substr(0, digits);
    out.total = {};
    out.description = DescriptionBefore(before);
  }
  std::optional<int64_t> n = ParseInt(n_text);
  if (!n) return false;
  out.n = *n;
  return true;
}

bool TqdmRecogniser::OnState(std::string_view text, double now, bool record, MetricSet& out) {
  if (!ParseTqdmBar(text, parsed_)) return false;
  if (!record) return true;
  identity_.clear();
  for (char c : parsed_.description) {
    if (!IsDigit(c)) {
      identity_ += c;
    } else if (identity_.empty() || identity_.back() != '#') {
      identity_ += '#';
    }
  }
  identity_ += '\x1f';
  identity_ += parsed_.total;
  std::optional<int64_t> epoch = FindEpochNumber(parsed_.description);
  const int64_t step = epoch ? *epoch : parsed_.n;

  Bar* bar = nullptr;
  for (Bar& b : bars_) {
    if (b.identity == identity_) bar = &b;
  }
  if (bar == nullptr) {
    if (bars_.size() < kMaxBars) {
      bar = &bars_.emplace_back();
    } else {
      bar = &bars_[0];
      for (Bar& b : bars_) {
        if (b.last_drawn < bar->last_drawn) bar = &b;
      }
      Record(*bar, out);
    }
    bar->identity = identity_;
  } else if (bar->step != step) {
    Record(*bar, out);
  }
  bar->step = step;
  bar->time = now;
  bar->bracket.assign(parsed_.bracket);
  bar->last_drawn = ++draws_;
  return true;
}

void TqdmRecogniser::Finish(MetricSet& out) {
  for (const Bar& bar : bars_) Record(bar, out);
  bars_.clear();
}

void TqdmRecogniser::Record(const Bar& bar, MetricSet& out) {
  // Every "key=value" item of the bracket; the elapsed time and the rate have no '='.
  std::string_view rest = bar.bracket;
  while (!rest.empty()) {
    size_t sep = rest.find(kPostfixSeparator);
    std::string_view item = rest.substr(0, sep);
    rest = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + kPostfixSeparator.size());
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = item.substr(0, eq);
    if (key == "v_num" || !IsMetricName(key)) continue;
    if (std::optional<double> value = ParseMetricValue(item.substr(eq + 1))) out.Add(key, bar.step, bar.time, *value);
  }
}

}  // namespace trail::metrics::internal
