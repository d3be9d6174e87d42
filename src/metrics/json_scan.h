// The fallback scanner: any JSON object, read with nlohmann::json's SAX
// parser. Slow (it allocates), but it handles what the fast scanner refuses
// and words every syntax error.
#pragma once

#include <string_view>

#include "metrics/line_fields.h"
#include "trail/status.h"

namespace trail::metrics::internal {

// Fills `out` with the line's leaves in document order (nested objects
// flattened with dots, arrays reported as one ignored field, and the key of
// each nested object as an ignored field of its own) or returns
// InvalidArgument with a one-line reason. Accepts the non-standard tokens
// NaN, Infinity and -Infinity, which Python's json.dumps writes.
Status ScanJsonLine(std::string_view line, FieldBuffer& out);

}  // namespace trail::metrics::internal
