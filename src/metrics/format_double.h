// FormatDouble: the one way trail spells a number in text.
#pragma once

#include <string>

namespace trail::metrics {

// Shortest text that parses back to exactly `v` ("0.1", "1e-07", "3").
// Non-finite values are spelled "nan", "inf" and "-inf" whatever their sign
// bit or payload, so output never depends on how a NaN was produced.
std::string FormatDouble(double v);

// Writes the same text as FormatDouble into `buf` (at least 32 bytes) and
// returns the end; for hot loops that must not allocate.
char* FormatDoubleTo(char* buf, double v);

}  // namespace trail::metrics
