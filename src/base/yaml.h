// YAML text <-> nlohmann::ordered_json, the in-memory form of every trail record.
//
// EmitYaml is deterministic: keys in the json's insertion order, two-space block
// style, one value per line, strings quoted only when a plain scalar would read
// back as something else. That makes `git diff` of two records read well and
// makes ParseYaml(EmitYaml(x)) == x for every value trail writes (ints stay
// ints, 3.0 stays a float, "100" stays a string).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "trail/status.h"

namespace trail {

using Json = nlohmann::ordered_json;

std::string EmitYaml(const Json& value);
// Corrupt("<what>: line N: <reason>") for malformed text; `what` names the source.
// Nesting deeper than `max_depth` (or an alias cycle) is refused. Input that
// trail copies into a record (params files) must use a smaller bound than
// records are read with, so the record stays readable: see kMaxRecordDepth.
inline constexpr int kMaxRecordDepth = 64;
StatusOr<Json> ParseYaml(const std::string& text, const std::string& what, int max_depth = kMaxRecordDepth);

// JSON text for machines (`--format json`), invalid UTF-8 replaced, never throws.
std::string DumpJson(const Json& value, int indent = 2);

}  // namespace trail
