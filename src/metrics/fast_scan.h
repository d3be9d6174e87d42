// The fast scanner: a hand-rolled reader for the common line shape, a flat
// JSON object whose values are numbers (plus NaN/Infinity, bools, null and
// simple strings).
#pragma once

#include <string_view>

#include "metrics/line_fields.h"

namespace trail::metrics::internal {

// Fills `out` and returns true when `line` is a flat object this scanner
// fully understands; the keys are views into `line`. Returns false for
// anything else -- nesting, arrays, escapes, non-ASCII, any syntax error,
// numbers from_chars cannot take exactly -- and the caller must then use
// ScanJsonLine, which also produces the error message. Whenever this
// returns true, ScanJsonLine would produce identical fields (the scanner
// agreement test checks that on random and mutated lines).
bool ScanFlatLine(std::string_view line, FieldBuffer& out);

}  // namespace trail::metrics::internal
