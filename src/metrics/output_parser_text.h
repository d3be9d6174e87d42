// Small text rules shared by the terminal-output recognisers (Keras, tqdm, key=value lines), so
// that "what a metric name is" and "what a number is" mean the same thing in all of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace trail::metrics::internal {

// A metric as printed on a line: the key is a view into that line.
struct PrintedValue {
  std::string_view key;
  double value;
};

inline bool IsMetricNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool IsMetricNameChar(char c) {
  return IsMetricNameStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '/' || c == '-';
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsSpaceOrTab(char c) { return c == ' ' || c == '\t'; }

// Whether `s` is `lower_word` in any ASCII case ("Epoch", "EPOCH" for "epoch").
bool EqualsIgnoringCase(std::string_view s, std::string_view lower_word);

// [A-Za-z_][A-Za-z0-9_./-]*: what a key must look like to be recorded from output.
bool IsMetricName(std::string_view s);

// The whole of `s` as a value: decimal or scientific notation with an optional sign, or nan / inf
// / infinity in any case (what Python prints). nullopt for anything else, including "3s", "91%"
// and numbers out of double's range.
std::optional<double> ParseMetricValue(std::string_view s);

// `s` without leading / trailing spaces and tabs.
std::string_view TrimSpaces(std::string_view s);
std::string_view TrimRightSpaces(std::string_view s);

// The number after the word "epoch" (any case; a whole word, so not "epochs") in `s`, allowing
// spaces and any of ":=#[" between: 3 in "Epoch 3", "epoch [3/10]", "Train epoch=3:". nullopt
// when there is none.
std::optional<int64_t> FindEpochNumber(std::string_view s);

}  // namespace trail::metrics::internal
