// Writing the metrics line protocol (docs/metrics-protocol.md), for the
// places trail itself appends points to a live run: metrics parsed from the
// output, and the Python client's log_metric.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trail::metrics {

// Appends {"step":S,"time":T,KEY:V}\n to `out`: `json_key` is the metric name
// already JSON-quoted (callers quote each name once, not once per point); no
// step means the metric's own count, as the protocol has it; the time is kept
// to the millisecond, as the series files keep it; NaN and infinities are
// written the way Python's json module writes them, which the parser reads.
void AppendProtocolLine(std::string* out, std::optional<int64_t> step, double time, std::string_view json_key,
                        double value);

}  // namespace trail::metrics
