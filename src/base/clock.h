// Wall-clock time as trail records it: unix seconds (double) and ISO-8601 UTC text.
#pragma once

#include <optional>
#include <string>

namespace trail {

double NowUnixSeconds();
// "2026-11-26T07:30:12.345Z" (millisecond precision, always UTC).
std::string FormatIsoTime(double unix_seconds);
// Inverse of FormatIsoTime; also accepts a missing fraction and a "+00:00" suffix.
std::optional<double> ParseIsoTime(const std::string& text);
// "1h02m", "3m05s", "12.3s", "45ms": for tables meant for people.
std::string FormatDuration(double seconds);

}  // namespace trail
