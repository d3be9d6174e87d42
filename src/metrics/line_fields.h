// The middle of the line parser: both scanners (the fast hand-rolled one and
// the nlohmann fallback) turn a line into the same list of Fields, and one
// function applies the protocol's rules to that list. Keeping the rules in one
// place is what makes the two scanners agree by construction.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/metric_set.h"
#include "trail/status.h"

namespace trail::metrics::internal {

// One leaf of the line's JSON object, in document order, nested keys
// flattened with dots ({"val": {"loss": 1}} gives key "val.loss").
struct Field {
  enum class Kind : uint8_t {
    kNumber,   // a number, NaN or +-Infinity
    kBool,     // value is 1 or 0
    kIgnored,  // string, null or array: not a metric, but still a key
  };
  std::string_view key;
  Kind kind;
  // True when the token was written as an integer that fits int64_t; then
  // `integer` is exact (value may have rounded, above 2^53).
  bool integer_token;
  int64_t integer;
  double value;
};

// Fields of one line plus storage for keys the scanner had to build
// (unescaped or flattened). Reused across lines so the fast path does not
// allocate once warm.
struct FieldBuffer {
  std::vector<Field> fields;
  std::deque<std::string> owned_keys;  // deque: views into it stay valid

  void Clear() {
    fields.clear();
    owned_keys.clear();
  }
};

// What the previous accepted line looked like. Training scripts log the same
// keys in the same order on every line, so a line whose keys match it
// (one compare per key) needs no duplicate check -- the keys were distinct
// last time -- and can reuse the metric ids, each verified against the set
// with one more compare (so the cache is right for any set). This replaces
// a hash lookup per point and a quadratic duplicate check per line.
struct LineShapeCache {
  static constexpr size_t kNoId = static_cast<size_t>(-1);
  std::vector<std::string> keys;  // strings keep their capacity when reused
  std::vector<size_t> ids;        // kNoId for fields that were not metrics
};

// Applies the protocol to a scanned line and adds its points to `set`:
//   - "step" (top level) must be an integer and is the step of every value;
//     without it "epoch" must be an integer and is used (not recorded);
//     without both each metric's step is its own point count.
//   - "time", else "timestamp", if a finite number, is the time of every
//     value, otherwise `now`; neither is recorded.
//   - every other number or bool is a point; ignored kinds are skipped.
//   - a key appearing twice (after flattening) rejects the line.
// Nothing is added when the line is rejected. Returns the points added.
StatusOr<int> CommitFields(const std::vector<Field>& fields, double now, MetricSet& set, LineShapeCache& cache);

}  // namespace trail::metrics::internal
