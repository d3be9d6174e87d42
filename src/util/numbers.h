// Number formatting and parsing shared by every layer that prints or reads values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trail {

// Shortest text that reads back as the same double: "0.1", "1e-07", "3", "nan", "inf", "-inf".
std::string FormatDouble(double v);
// Parses the whole of `s` as an integer / a double (std::from_chars rules); nullopt otherwise.
std::optional<int64_t> ParseInt(std::string_view s);
std::optional<double> ParseDouble(std::string_view s);

}  // namespace trail
