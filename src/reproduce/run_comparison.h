// Two run records compared item by item for a reproduction's verdict: metrics (last, min, max),
// derived metrics, artifacts by path, data inputs by role, and the reproduction's status.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/yaml.h"

namespace trail::reproduce {

// Within either counts: |a-b| <= relative * max(|a|, |b|), or |a-b| <= absolute.
struct Tolerance {
  double relative = 0;
  double absolute = 0;
};

enum class Verdict { kIdentical, kWithinTolerance, kDifferent };
const char* VerdictName(Verdict v);  // "identical", "within tolerance", "different"

struct ComparedItem {
  std::string kind;  // "metric", "derived", "artifact", "data", "status"
  std::string name;  // "val_loss.last", "models/m.npz", "train"
  Verdict verdict = Verdict::kIdentical;
  std::string recorded;    // the first run's value ("absent" when it has none)
  std::string reproduced;  // the second run's
  std::string note;        // why, when a verdict needs it ("arrays equal", "bytes differ")
};

// Decides about two artifacts with the same path whose object ids differ: a note such as "arrays
// equal" and whether that makes them equal. Injected so that comparison needs no store.
struct ContentVerdict {
  bool equal = false;
  std::string note;
};
using ArtifactComparer = std::function<ContentVerdict(const Json& recorded, const Json& reproduced)>;

// One value pair under a tolerance. NaN equals NaN; an infinity equals only itself.
Verdict CompareNumbers(double a, double b, const Tolerance& tolerance);

// Every item of `recorded` and `reproduced` (run records), in the order: status, metrics (by
// name), derived metrics, artifacts (by path), data (by role). An item in only one run is
// different. `compare_content` may be empty (differing bytes are then different).
std::vector<ComparedItem> CompareRuns(const Json& recorded, const Json& reproduced, const Tolerance& tolerance,
                                      const ArtifactComparer& compare_content);

// True when every item is identical or within tolerance.
bool AllSame(const std::vector<ComparedItem>& items);

}  // namespace trail::reproduce
