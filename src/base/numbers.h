// Number formatting and parsing shared by every layer that prints or reads values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trail {

// Shortest text that reads back as the same double: "0.1", "1e-07", "3". Non-finite values are
// "nan", "inf" and "-inf" whatever their sign bit or payload. The one way trail spells a number.
std::string FormatDouble(double v);
// Writes the same text as FormatDouble into `buf` (at least 32 bytes) and returns the end; for
// hot loops that must not allocate.
char* FormatDoubleTo(char* buf, double v);
// Parses the whole of `s` as an integer / a double (std::from_chars rules); nullopt otherwise.
std::optional<int64_t> ParseInt(std::string_view s);
// "1.5 GiB", "320 KiB", "12 B": sizes for people.
std::string FormatBytes(uint64_t bytes);
std::optional<double> ParseDouble(std::string_view s);

}  // namespace trail
