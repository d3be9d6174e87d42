#include "metrics/line_fields.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

namespace trail::metrics::internal {
namespace {

// Lines with more keys than this are checked for duplicates by sorting.
constexpr size_t kQuadraticDuplicateCheckLimit = 16;

std::optional<std::string_view> FindDuplicateKey(const std::vector<Field>& fields) {
  const size_t n = fields.size();
  if (n <= kQuadraticDuplicateCheckLimit) {
    for (size_t i = 1; i < n; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (fields[i].key == fields[j].key) return fields[i].key;
      }
    }
    return std::nullopt;
  }
  std::vector<std::string_view> keys;
  keys.reserve(n);
  for (const Field& f : fields) keys.push_back(f.key);
  std::sort(keys.begin(), keys.end());
  auto it = std::adjacent_find(keys.begin(), keys.end());
  if (it == keys.end()) return std::nullopt;
  return *it;
}

// The exact int64 a field stands for, if any: integer tokens as written,
// other numbers when integral and in range (so 3.0 and 1e3 are steps too).
std::optional<int64_t> AsStep(const Field& f) {
  if (f.kind != Field::Kind::kNumber) return std::nullopt;
  if (f.integer_token) return f.integer;
  // 2^63 is exactly representable; every double below it in this range
  // converts without overflow. NaN fails the comparison.
  if (!(f.value >= -0x1p63 && f.value < 0x1p63)) return std::nullopt;
  auto i = static_cast<int64_t>(f.value);
  if (static_cast<double>(i) != f.value) return std::nullopt;
  return i;
}

// Equality for short keys without a call into libc's memcmp, which costs
// more than the compare itself at this size; this runs twice per point.
bool KeyEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) return false;
  }
  for (; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool SameShape(const std::vector<Field>& fields, const LineShapeCache& cache) {
  if (fields.size() != cache.keys.size()) return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!KeyEquals(fields[i].key, cache.keys[i])) return false;
  }
  return true;
}

bool IsFiniteNumber(const Field* f) {
  return f != nullptr && f->kind == Field::Kind::kNumber && std::isfinite(f->value);
}

}  // namespace

StatusOr<int> CommitFields(const std::vector<Field>& fields, double now, MetricSet& set, LineShapeCache& cache) {
  const bool same_shape = SameShape(fields, cache);
  if (!same_shape) {
    if (auto dup = FindDuplicateKey(fields)) {
      return InvalidArgument("duplicate key \"" + std::string(*dup) + "\"");
    }
    cache.keys.resize(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) cache.keys[i].assign(fields[i].key);
    cache.ids.assign(fields.size(), LineShapeCache::kNoId);
  }
  const Field* step_field = nullptr;
  const Field* epoch_field = nullptr;
  const Field* time_field = nullptr;
  const Field* timestamp_field = nullptr;
  for (const Field& f : fields) {
    // Cheap first-byte filter: most keys are none of the four.
    switch (f.key.empty() ? '\0' : f.key[0]) {
      case 's':
        if (f.key == "step") step_field = &f;
        break;
      case 'e':
        if (f.key == "epoch") epoch_field = &f;
        break;
      case 't':
        if (f.key == "time") time_field = &f;
        if (f.key == "timestamp") timestamp_field = &f;
        break;
      default:
        break;
    }
  }

  std::optional<int64_t> step;
  const Field* step_source = step_field != nullptr ? step_field : epoch_field;
  if (step_source != nullptr) {
    step = AsStep(*step_source);
    if (!step) {
      return InvalidArgument(std::string(step_source->key) + " is not an integer");
    }
  }

  double time = now;
  if (IsFiniteNumber(time_field)) {
    time = time_field->value;
  } else if (IsFiniteNumber(timestamp_field)) {
    time = timestamp_field->value;
  }

  // From here on the line is accepted.
  int added = 0;
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    if (f.kind == Field::Kind::kIgnored) continue;
    if (&f == step_source || &f == time_field || &f == timestamp_field) continue;
    size_t id = cache.ids[i];
    if (id >= set.NumKeys() || !KeyEquals(set.KeyById(id), f.key)) {
      id = cache.ids[i] = set.Intern(f.key);
    }
    set.AddById(id, step ? *step : set.SeriesSizeById(id), time, f.value);
    ++added;
  }
  return added;
}

}  // namespace trail::metrics::internal
